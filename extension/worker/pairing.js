// Pairing with an eca-guard-server (options page), and the pairing's record for the others
// (worker/send.js seals with it; content scripts and pages see only `publicView`).
//
// The pairing: the server's address, its pinned public key and this browser's own key (`keys`,
// an opaque string from the core), plus the server's name, callback URLs and pack. Never a
// consumer secret. It is kept by worker/pairing-store.js, out of reach of content scripts;
// they ask `pairingStatus` instead, and hear `pairingChanged` when it changes.
import '../protocol.js';
import { onDemand } from './on-demand.js';
import { GuardError } from './errors.js';
import { clearPairing, readPairing, writePairing } from './pairing-store.js';
import { salesforceTabPatterns } from './settings.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;

/** The pairing, or null; `withKeys` for sealing (worker/send.js) only. */
export async function loadPairing({ withKeys = false } = {}) {
  const p = await readPairing({ withKeys });
  return p && typeof p === 'object' && typeof p.server === 'string' ? p : null;
}

/** Tells the content scripts of open Salesforce tabs to ask `pairingStatus` again. */
function announce() {
  api.tabs.query({ url: salesforceTabPatterns() }).then(
    (tabs) => {
      for (const t of tabs) api.tabs.sendMessage(t.id, { type: T.pairingChanged }).catch(() => {});
    },
    () => {}
  );
}

/** What extension pages may see: everything but the keys. */
function publicView(p) {
  if (!p) return { paired: false };
  return {
    paired: true,
    server: p.server,
    name: p.name,
    fingerprint: p.fingerprint,
    browserId: p.browserId,
    callbackUrls: p.callbackUrls || [],
    pack: p.pack || null,
    pairedAt: p.pairedAt,
  };
}

// A refusal is not sealed: anyone at the server's address (or in between, over plain http) can
// write it. So its `message` is never shown; its `code` picks one of our own sentences, and an
// unknown code gets a generic one (docs/server.md, "What is protected"). The codes are the
// server's `AppError::code` values.
const REFUSALS = {
  too_large: 'the message was larger than it accepts.',
  content_type: 'it could not read ECA Guard\'s message. Are ECA Guard and eca-guard-server of compatible versions?',
  malformed: 'it could not read ECA Guard\'s message. Are ECA Guard and eca-guard-server of compatible versions?',
  web_origin: 'the request looked as if it came from a web page.',
  not_authentic: 'the message did not open there: it was changed on the way, or this browser is paired with another server. Pair again.',
  pairing_code_unknown: 'it does not know this pairing code; run "eca-guard-server pair" for a new one.',
  pairing_code_expired: 'this pairing code has expired; run "eca-guard-server pair" for a new one.',
  pairing_code_used: 'this pairing code was already used; run "eca-guard-server pair" for a new one.',
  already_paired: 'this browser is already paired with it.',
  unknown_browser: 'it does not know this browser; pair it again in ECA Guard options.',
  revoked_browser: 'this browser\'s pairing was revoked there; pair it again in ECA Guard options.',
  replayed: 'it had already received this message (a replay); send again.',
  stale: 'the message was too old when it arrived; check this computer\'s clock, then send again.',
  from_future: 'the message was dated in the future; check this computer\'s clock.',
  pairing_code_cancelled: 'this pairing code was cancelled there; run "eca-guard-server pair" for a new one.',
  org_not_allowed: 'this browser is paired for other orgs only (eca-guard-server pair --org); pair it for this org too.',
  wrong_host: 'it is not configured for the address ECA Guard used; set public_url (or use the address in the pairing code).',
  body_timeout: 'the message arrived too slowly; check the network, then send again.',
  internal: 'it hit an internal error; see the server\'s log.',
};

/** Our sentence for the server's refusal (`{"error": {code, message}}`), never its own text. */
function refusal(status, text) {
  let code = null;
  try {
    const e = JSON.parse(text).error;
    if (e && typeof e.code === 'string') code = e.code;
  } catch (_) {
    return `The server answered HTTP ${status}, not as an ECA Guard server.`;
  }
  if (code !== null && Object.hasOwn(REFUSALS, code)) return `The server refused: ${REFUSALS[code]}`;
  return `The server refused (HTTP ${status}).`;
}

/** The most of an answer ECA Guard reads: its answers are a few KB (the server's body limit is 16 KB). */
const MAX_ANSWER = 64 * 1024;

/** The answer's text, or null when it is longer than MAX_ANSWER (reading stops there). */
async function readCapped(resp) {
  if (!resp.body) return '';
  const reader = resp.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER) {
      reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  return new TextDecoder().decode(await new Blob(parts).arrayBuffer());
}

async function call(url, init) {
  let resp;
  try {
    resp = await fetch(url, { credentials: 'omit', cache: 'no-store', redirect: 'error', ...init });
  } catch (_) {
    throw new GuardError(
      'Network',
      `The server at ${new URL(url).origin} cannot be reached. Is eca-guard-server running there, and reachable from this computer?`
    );
  }
  const text = await readCapped(resp);
  if (!resp.ok) throw new GuardError('Refused', text === null ? `The server refused (HTTP ${resp.status}).` : refusal(resp.status, text));
  if (text === null) throw new GuardError('Refused', 'The server\'s answer is larger than an ECA Guard server\'s.');
  return text;
}

export const post = (url, body) => call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

async function pair(msg) {
  const core = await onDemand();
  const code = typeof msg.code === 'string' ? msg.code : '';
  const start = core.pairingBegin(code); // throws a clear error for a damaged code
  let info;
  try {
    info = JSON.parse(await call(start.infoUrl, { method: 'GET' }));
  } catch (e) {
    if (e && e.name === 'EcaGuardError') throw e;
    throw new GuardError('Refused', `${start.server} is not an ECA Guard server.`);
  }
  if (!info || typeof info.publicKey !== 'string') throw new GuardError('Refused', `${start.server} is not an ECA Guard server.`);
  const label = typeof msg.label === 'string' && msg.label ? msg.label.slice(0, 100) : defaultLabel();
  // Checks the key against the fingerprint the code pins before sealing anything to it.
  const req = core.pairingRequest(code, info.publicKey, label);
  const reply = await post(req.url, req.body);
  const p = core.pairingComplete(req.pending, reply); // opens only if sealed by the pinned server
  const r = p.reply || {};
  const record = {
    keys: p.keys,
    server: p.server,
    fingerprint: p.fingerprint,
    browserId: p.browserId,
    name: typeof r.name === 'string' && r.name ? r.name : p.server,
    callbackUrls: Array.isArray(r.callbackUrls) ? r.callbackUrls.filter((u) => typeof u === 'string') : [],
    pack: typeof r.pack === 'string' ? r.pack : null,
    pairedAt: new Date().toISOString(),
  };
  await writePairing(record);
  announce();
  return publicView(record);
}

function defaultLabel() {
  const ua = (globalThis.navigator && navigator.userAgent) || '';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : 'Chromium';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'unknown OS';
  return `ECA Guard in ${browser} on ${os}`;
}

export const handlers = {
  /** Options page, popup and content scripts: is there a pairing, with which server. A content
   * script learns only what its button needs: the server's name and pack. */
  [T.pairingStatus]: async (_msg, sender) => {
    const view = publicView(await loadPairing());
    const fromPage = !(typeof sender.url === 'string' && sender.url.startsWith(api.runtime.getURL('')));
    return fromPage && view.paired ? { paired: true, name: view.name, pack: view.pack } : view;
  },
  /** Options page: pair with a code (`{code, label?}`). */
  [T.pair]: (msg) => pair(msg),
  /** Options page: forget the pairing (the server side is revoked with `browsers revoke`). */
  [T.unpair]: async () => {
    await clearPairing();
    announce();
    return { paired: false };
  },
};
