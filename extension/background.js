// ECA Guard service worker (Chromium) / event page (Firefox). An ES module with static imports
// only: import() throws in a module service worker, and a top-level await stops it from
// registering at all (docs/toolchain.md). Listeners are registered synchronously at the top level
// so a worker woken by a message sees it; async work hangs off promises (worker/core.js `ready`).
//
// Message protocol: protocol.js lists every message type and who may send it; one handler
// per type, assembled from the worker/*.js modules. To add a message: add it to the protocol,
// write its handler in worker/<area>.js (exported in `handlers`), then add one import line and
// one spread below (docs/CONTRIBUTING.md, "Add a message").
import './protocol.js';
import { handlers as checkHandlers } from './worker/check.js';
import { handlers as settingsHandlers, settings, watchSettings } from './worker/settings.js';
import { handlers as diagHandlers } from './worker/diag.js';
import { handlers as injectHandlers } from './worker/inject.js';
import { toError } from './worker/errors.js';
import { handlers as orgHandlers } from './worker/org.js';
import { handlers as pairingHandlers } from './worker/pairing.js';
import { handlers as panelHandlers, watchCommands } from './worker/panel.js';
import { handlers as probeHandlers } from './worker/probe.js';
import { handlers as reportHandlers } from './worker/report.js';
import { handlers as sendHandlers } from './worker/send.js';

const { api, MESSAGES } = globalThis.ecaGuardProtocol;

/**
 * Each handler: `run(msg, sender) → Promise<object>`, keyed by its message type. Who may send it
 * is the protocol's `from`. Messages from other extensions or web pages never reach onMessage
 * (no externally_connectable), and we check the sender id anyway.
 */
const HANDLERS = {
  ...injectHandlers,
  ...checkHandlers,
  ...settingsHandlers,
  ...orgHandlers,
  ...diagHandlers,
  ...pairingHandlers,
  ...panelHandlers,
  ...probeHandlers,
  ...reportHandlers,
  ...sendHandlers,
};

const EXTENSION_ORIGIN = api.runtime.getURL('');

function senderKind(sender) {
  if (!sender || sender.id !== api.runtime.id) return null;
  if (sender.url && sender.url.startsWith(EXTENSION_ORIGIN)) return 'extension';
  if (sender.tab) return 'content';
  return null;
}

/** Validates a message against its sender and runs its handler; never rejects. */
function dispatch(msg, sender) {
  const kind = senderKind(sender);
  const type = msg && typeof msg === 'object' && typeof msg.type === 'string' ? msg.type : null;
  const handler = type && Object.hasOwn(HANDLERS, type) ? HANDLERS[type] : null;
  const from = handler && Object.hasOwn(MESSAGES, type) ? MESSAGES[type].from : null;
  if (!kind || !handler || (from !== 'any' && from !== kind)) {
    return Promise.resolve({
      ok: false,
      error: { kind: 'BadMessage', message: `ECA Guard does not accept "${type}" from this sender.` },
    });
  }
  return Promise.resolve()
    .then(() => handler(msg, sender))
    .then(
      (reply) => ({ ok: true, ...reply }),
      (e) => ({ ok: false, error: toError(e) })
    );
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  dispatch(msg, sender).then(sendResponse);
  return true; // the reply is asynchronous
});

// Content scripts send their checks over one long-lived port per frame (`eca-guard`): a
// sendMessage opens and closes a channel each time, which costs about 0.5 ms per keystroke
// (measured, `./build.sh bench`). Same messages, same handlers; `{id, msg}` in, `{id, reply}` out.
api.runtime.onConnect.addListener((port) => {
  if (port.name !== 'eca-guard' || !senderKind(port.sender)) return port.disconnect();
  port.onMessage.addListener((m) => {
    if (!m || typeof m !== 'object') return;
    dispatch(m.msg, port.sender).then((reply) => {
      try {
        port.postMessage({ id: m.id, reply });
      } catch (_) {
        // the frame went away meanwhile
      }
    });
  });
});

watchSettings();
watchCommands();
// A worker is woken by a message that will need the settings: start reading them now, in
// parallel with the Wasm compile (worker/core.js), not after it.
settings().catch(() => {});
