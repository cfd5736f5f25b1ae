// "Is the app live?" (issue 5 §4): after a send, ask the org's OAuth authorization endpoint
// about the consumer key with the redirect URI the integration uses, and say what the answer
// means. No secret is involved: the authorize endpoint takes the key (client_id) only.
//
// Salesforce answers an authorize request for a bad app by redirecting to an error page whose
// address and text carry the error (salesforce-facts.md, "OAuth errors users meet"); a good one
// goes on to the login page.
import '../shared/protocol.js';
import { ready } from './core.js';
import { GuardError } from './errors.js';
import { isSetupSurface, senderOrg } from './org.js';
import { settings } from './settings.js';
import { loadPairing } from './pairing.js';

const { TYPES: T } = globalThis.ecaGuardProtocol;


/** New or changed apps can take this long to become active (Salesforce, Veeam KB4827). */
export const ACTIVATION_MS = 10 * 60 * 1000;

/** What an answer means. Order matters: the most specific first. */
const OUTCOMES = [
  {
    status: 'not-active-yet',
    test: /invalid_client_id|client identifier invalid/i,
    message:
      'Salesforce does not know this consumer key yet. A new or changed app can take up to 10 minutes to become active; ECA Guard checks again until then.',
  },
  {
    status: 'callback-mismatch',
    test: /redirect_uri_mismatch|redirect_uri must match configuration/i,
    message: 'The app is live, but its Callback URL lines do not include {callback}, which the integration uses. Add it exactly (no trailing slash), one URL per line.',
  },
  {
    status: 'not-installed',
    test: /OAUTH_EC_APP_NOT_FOUND|app must be installed into org/i,
    message:
      'Salesforce says the app is not available in this org (OAUTH_EC_APP_NOT_FOUND / "app must be installed into org"). A local External Client App must be created in this org; a packaged one must be installed here (packaged ECAs are not supported in sandboxes).',
  },
  {
    status: 'blocked',
    test: /OAUTH_APP_BLOCKED/i,
    message: 'The app is blocked in this org (OAUTH_APP_BLOCKED). Unblock it in Setup (Connected Apps OAuth Usage) before the integration can connect.',
  },
  {
    status: 'secret-rejected',
    test: /invalid_client\b|invalid client credentials/i,
    message: 'Salesforce rejected the client credentials (invalid_client). Send the current consumer secret again.',
  },
];

export function classify(url, text, callback, ok = true) {
  let hay = `${url || ''}\n${text || ''}`;
  try {
    hay = `${decodeURIComponent((url || '').replace(/\+/g, ' '))}\n${text || ''}`;
  } catch (_) {
    /* keep it encoded */
  }
  for (const o of OUTCOMES) {
    if (o.test.test(hay)) return { status: o.status, message: o.message.replace('{callback}', callback) };
  }
  if (!ok) return { status: 'unknown', message: 'Salesforce gave an unexpected answer; the app could not be checked.' };
  return {
    status: 'live',
    message: `Salesforce accepts this consumer key with the callback ${callback}: the app is live.`,
  };
}

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
  return { ...classify(resp.url, text, callback, resp.ok), checkedAt: Date.now() };
}

export const handlers = {
  /** Content script: `{consumerKey}` → `{status, message}`. The org is the sender's. */
  [T.probeApp]: (msg, sender) => probe(msg, sender),
};
