// Pairing with an eca-guard-server and sending consumer credentials to it (issue 5).
//
// chrome.storage.local `ecaGuardPairing` keeps the pairing: the server's address, its pinned
// public key and this browser's own key (`keys`, an opaque string from the core), plus the
// server's name, callback URLs and pack. Never a consumer secret: a secret arrives in one
// `sendCredentials` message from the content script (after a trusted click), is sealed in Wasm
// (HPKE, src/pairing.rs) and posted, and nothing here keeps, logs or copies it.
//
// The org is never what the page says: it is derived from the sending frame's URL.
import { ready } from './core.js';
import { GuardError } from './errors.js';
import { senderOrg } from './org.js';
import { API_HOST, appOf } from './app-id.js';

const api = globalThis.browser || globalThis.chrome;

export const PAIRING_KEY = 'ecaGuardPairing';

async function load() {
  const l = await api.storage.local.get(PAIRING_KEY);
  const p = l[PAIRING_KEY];
  return p && typeof p === 'object' && typeof p.keys === 'string' ? p : null;
}

/** What pages may see: everything but the keys. */
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

/** The server's refusal (`{"error": {code, message}}`): shown, never trusted (unauthenticated). */
function refusal(status, text) {
  try {
    const e = JSON.parse(text).error;
    if (e && typeof e.message === 'string') return `The server refused (${e.code}): ${e.message}`;
  } catch (_) {
    /* not JSON */
  }
  return `The server answered HTTP ${status}, not as an ECA Guard server.`;
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
  const text = await resp.text();
  if (!resp.ok) throw new GuardError('Refused', refusal(resp.status, text));
  return text;
}

const post = (url, body) => call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

async function pair(msg) {
  const core = await ready;
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
  await api.storage.local.set({ [PAIRING_KEY]: record });
  return publicView(record);
}

function defaultLabel() {
  const ua = (globalThis.navigator && navigator.userAgent) || '';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : 'Chromium';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'unknown OS';
  return `ECA Guard in ${browser} on ${os}`;
}

/** The org of the frame that sent the message (its URL), as the API host integrations use. */
async function senderApiHost(core, sender) {
  const org = senderOrg(core, sender);
  if (!org) throw new GuardError('BadMessage', 'This page is not a Salesforce org page.');
  // Visualforce domains run code the org's developers (or anyone they trust) wrote: a page
  // there could show a fake key and secret. Credentials are sent from Setup pages only.
  if (org.surface === 'visualforce') {
    throw new GuardError('BadMessage', 'Credentials are sent only from Salesforce Setup pages, not from Visualforce pages.');
  }
  return org.apiHost;
}

const str = (v) => (typeof v === 'string' ? v.trim() : '');

async function sendCredentials(msg, sender) {
  const core = await ready;
  const p = await load();
  if (!p) {
    throw new GuardError('NotPaired', 'ECA Guard is not paired with a server yet: open ECA Guard options and paste a pairing code.');
  }
  const org = await senderApiHost(core, sender);
  // The record the server files it under: an id or API name, never the page's label (app-id.js).
  const key = str(msg.consumerKey);
  const secret = str(msg.consumerSecret);
  // An "API Name" equal to the key or secret was misread from the page: never a record name.
  const apiName = str(msg.apiName);
  const which = appOf(sender, apiName === key || apiName === secret ? '' : apiName);
  if (!which) {
    throw new GuardError(
      'UnknownApp',
      'ECA Guard could not tell which app this is: the page\'s address carries no app id and the page shows no API Name. Nothing was sent.'
    );
  }
  if (!API_HOST.test(org)) throw new GuardError('BadMessage', 'This page is not a Salesforce org page.');
  const app = which.app;
  // The secret lives only in this call: sealed, posted, then dropped with the frame.
  const sealed = core.sealCredentials(p.keys, org, app, key, secret);
  const text = await post(sealed.url, sealed.body);
  const receipt = core.openReceipt(sealed.responseKey, sealed.messageId, text);
  return { receipt, server: p.name };
}

export const handlers = {
  /** Options page, popup and content scripts: is there a pairing, with which server. */
  pairingStatus: { from: 'any', run: async () => publicView(await load()) },
  /** Options page: pair with a code (`{code, label?}`). */
  pair: { from: 'extension', run: (msg) => pair(msg) },
  /** Options page: forget the pairing (the server side is revoked with `browsers revoke`). */
  unpair: {
    from: 'extension',
    run: async () => {
      await api.storage.local.remove(PAIRING_KEY);
      return { paired: false };
    },
  },
  /** Content script, after a trusted click: `{apiName?, label?, consumerKey, consumerSecret}`. */
  sendCredentials: { from: 'content', run: (msg, sender) => sendCredentials(msg, sender) },
};
