// "Is the app live?": after a send, ask the org's OAuth authorization endpoint about the
// consumer key with the redirect URI the integration uses. No secret is involved: the authorize
// endpoint takes the key (client_id) only. What Salesforce's answer means is the core's
// (probeAnswer, src/probe.rs; docs/salesforce-facts.md, "OAuth errors users meet").
import '../protocol.js';
import { ready } from './core.js';
import { GuardError } from './errors.js';
import { isSetupSurface, senderOrg } from './org.js';
import { settings } from './settings.js';
import { loadPairing } from './pairing.js';

const { TYPES: T } = globalThis.ecaGuardProtocol;

async function callbackUrl() {
  const p = await loadPairing();
  if (p && Array.isArray(p.callbackUrls) && typeof p.callbackUrls[0] === 'string') return p.callbackUrls[0];
  const s = await settings();
  const urls = (s && s.config && s.config.params && s.config.params.callbackUrls) || [];
  return typeof urls[0] === 'string' ? urls[0] : null;
}

async function probe(msg, sender) {
  const core = await ready;
  const org = senderOrg(core, sender);
  if (!org) throw new GuardError('BadMessage', 'This page is not a Salesforce org page.');
  // Probes follow a send, and sends come from Setup pages only (worker/send.js).
  if (!isSetupSurface(org)) throw new GuardError('BadMessage', 'Apps are checked only from Salesforce Setup pages.');
  const key = typeof msg.consumerKey === 'string' ? msg.consumerKey.trim() : '';
  if (!/^[\x21-\x7e]{12,512}$/.test(key)) throw new GuardError('BadMessage', 'No consumer key to check.');
  const callback = await callbackUrl();
  if (!callback) {
    return { status: 'unknown', message: 'No callback URL is known (pair with a server that publishes one, or set it in ECA Guard options), so the app was not checked.' };
  }
  const q = new URLSearchParams({ response_type: 'code', client_id: key, redirect_uri: callback });
  const url = `https://${org.apiHost}/services/oauth2/authorize?${q}`;
  let resp;
  try {
    resp = await fetch(url, { credentials: 'omit', cache: 'no-store', redirect: 'follow' });
  } catch (_) {
    return { status: 'unknown', message: `Could not reach ${org.apiHost} to check the app.` };
  }
  const text = (await resp.text()).slice(0, 200000);
  return { ...core.probeAnswer(resp.url, text, callback, resp.ok), checkedAt: Date.now() };
}

export const handlers = {
  /** Content script: `{consumerKey}` → `{status, message}`. The org is the sender's. */
  [T.probeApp]: (msg, sender) => probe(msg, sender),
};
