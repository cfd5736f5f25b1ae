// ECA Guard's one message protocol: every message type, who may send it, what it carries and
// answers, and every error kind a reply can carry. Nothing else in the extension spells a message
// type as a string (a test checks that, and that the error kinds cover the core's, src/error.rs).
//
// A classic script that also loads as a module (it only sets a global): content scripts list it
// first in the manifest; the worker and the extension pages import it for its effect.
//
// Messages are `{type, ...payload}`. Replies are `{ok: true, ...reply}` or
// `{ok: false, error: {kind, variant?, message}}`. `from` is who may send it: 'content' (a
// content script in a Salesforce tab), 'extension' (our own pages: options, popup, confirm),
// 'any' of those two, or 'worker' (the worker to content scripts; they accept nothing else).
// `to: 'content'`: sent to a tab's content scripts (not to the worker), which check `from`.
(() => {
  'use strict';
  if (globalThis.ecaGuardProtocol) return;
  const api = globalThis.browser || globalThis.chrome;

  const MESSAGES = {
    // content/detect.js found a page ECA Guard handles in its frame: the worker loads the rest of
    // the content scripts into that frame (worker/inject.js).
    loadContent: { from: 'content', payload: '{}', reply: '{}' },
    check: { from: 'content', payload: '{snapshot}', reply: '{result: {pack, packName, findings, counts, notes}}' },
    clear: { from: 'content', payload: '{}', reply: '{}' },
    openOptions: { from: 'content', payload: '{}', reply: '{}' },
    // The page panel's open/collapsed state and docked edge (worker/panel.js): `{}` reads it.
    panelPrefs: { from: 'content', payload: '{prefs?: {open?, dock?}}', reply: '{prefs}' },
    sendCredentials: { from: 'content', payload: '{consumerKey, consumerSecret, apiName?, label?}', reply: '{receipt, server, afterSend?}' },
    probeApp: { from: 'content', payload: '{consumerKey}', reply: '{status, message, checkedAt}' },
    pairingStatus: { from: 'any', payload: '{}', reply: '{paired, name?, server?, …}' },
    ping: { from: 'any', payload: '{}', reply: '{}' },
    timings: { from: 'any', payload: '{}', reply: '{timings}' },
    getSettings: { from: 'extension', payload: '{}', reply: '{config, managed}' },
    orgStatus: { from: 'extension', payload: '{host} | {tabId}', reply: '{org, host, setupOrigin, pack?, rows, failing, packNotes}' },
    forgetOrg: { from: 'extension', payload: '{host} | {tabId}', reply: '{}' },
    // The evidence report (worker/report.js): a content script gets its own tab and frame's;
    // the popup names a tab or a host.
    report: { from: 'any', payload: '{format: "markdown"|"json", tabId? | host?}', reply: '{markdown, json, filename}' },
    pair: { from: 'extension', payload: '{code, label?}', reply: '{paired, name, server, fingerprint, …}' },
    unpair: { from: 'extension', payload: '{}', reply: '{paired: false}' },
    confirmDetails: { from: 'extension', payload: '{id}', reply: '{server, org, app, keyPrefix, …}' },
    confirmDecision: { from: 'extension', payload: '{id, confirm}', reply: '{receipt?}' },
    // To the content scripts of a tab (every frame; content/outline.js), from the popup.
    pageOutline: { from: 'extension', to: 'content', payload: '{}', reply: '{outline}' },
    recheck: { from: 'worker', payload: '{}', reply: 'none' },
    // The keyboard shortcut (manifest `commands`), to every frame of the tab: the one with a
    // panel opens it and moves focus into it (content/paint.js).
    focusPanel: { from: 'worker', to: 'content', payload: '{}', reply: 'none' },
    pairingChanged: { from: 'worker', payload: '{}', reply: 'none' },
  };

  /** Error kinds a reply may carry: the core's (src/error.rs `Error::kind`) and the extension's. */
  const ERROR_KINDS = [
    // the core
    'PackSyntax', 'PackInvalid', 'UnknownPack', 'BadInput', 'Pairing',
    // the worker
    'BadMessage', 'NoPack', 'NotPaired', 'Network', 'Refused', 'Busy', 'Gone', 'NotSent', 'CoreTrap', 'Internal',
    // the content script, when the worker cannot be reached
    'Disconnected',
  ];

  const TYPES = Object.freeze(Object.fromEntries(Object.keys(MESSAGES).map((t) => [t, t])));

  /** One message to the worker; a failure to deliver becomes an error reply, never a throw. */
  function send(msg) {
    const down = (e) => ({ ok: false, error: { kind: 'Disconnected', message: `ECA Guard's worker did not answer (${String((e && e.message) || e)}).` } });
    try {
      return Promise.resolve(api.runtime.sendMessage(msg)).then((r) => r || down('no reply'), down);
    } catch (e) {
      return Promise.resolve(down(e));
    }
  }

  /** In a content script: whether a message comes from our own extension pages (the popup). */
  function fromOwnPage(sender) {
    return !!sender && sender.id === api.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(api.runtime.getURL(''));
  }

  globalThis.ecaGuardProtocol = Object.freeze({ api, MESSAGES, TYPES, ERROR_KINDS, send, fromOwnPage });
})();
