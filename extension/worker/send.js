// Sending a consumer key and secret to the paired server, confirmed by the admin in a window of
// ECA Guard's own (docs/server.md, "In the browser" and "What is protected, in plain words").
//
// Why a window: the Send button's host element lives in the Salesforce page's DOM, so the page
// can restyle it (fixed, scaled over the whole window, transparent) and make any real click
// land on it. A trusted click therefore says only "the admin clicked somewhere". So the click
// hands the key and secret to this worker, which keeps them in memory only and opens
// confirm/confirm.html as a popup window: an extension page the Salesforce page cannot see,
// cover or script. It shows org, app, key prefix and server; only Confirm there seals and
// posts. Cancel, closing the window, closing the tab or CONFIRM_MS without an answer drop the
// secret. The outcome is the reply to the content script's message (its status line).
//
// One send waits at a time: while one does, another is refused and the open window is brought
// forward, so a page cannot swap what the window shows just before the admin clicks Confirm.
import '../protocol.js';
import { ready } from './core.js';
import { onDemand } from './on-demand.js';
import { GuardError } from './errors.js';
import { isSetupSurface, senderOrg } from './org.js';
import { API_HOST, appOf, shownLabel } from './app-id.js';
import { loadPairing, post } from './pairing.js';
import { settings } from './settings.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;

/** How long the confirm window waits for the admin. */
export const CONFIRM_MS = 2 * 60 * 1000;
const CONFIRM_PAGE = 'confirm/confirm.html';
/** A consumer key or secret: one run of printable ASCII without spaces (as content/credentials.js reads them). */
const VALUE = /^[\x21-\x7e]{12,512}$/;

/**
 * The send waiting for the admin, or null: `{id, windowId, tabId, details, credentials,
 * delivering, resolve, reject, timer}`. `credentials` is the only place the secret lives: until
 * `settle`, or until Confirm hands it to `deliver`.
 */
let pending = null;

const str = (v) => (typeof v === 'string' ? v.trim() : '');

/** Ends the waiting send: drops the secret, closes the window, answers the content script. */
function settle(p, outcome) {
  if (pending !== p) return;
  pending = null;
  clearTimeout(p.timer);
  p.credentials = null;
  if (p.windowId !== null) api.windows.remove(p.windowId).catch(() => {}); // already closed
  if (outcome.error) p.reject(outcome.error);
  else p.resolve(outcome.value);
}

const notSent = (why) => new GuardError('NotSent', `Not sent: ${why}`);

/** What the window shows: never the secret, and the key only as its first and last characters. */
function keyHint(key) {
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

/** Checks a send from a content script and puts it up for confirmation. */
async function sendCredentials(msg, sender) {
  const core = await ready;
  onDemand().catch(() => {}); // ready by the time the admin confirms
  const p = await loadPairing({ withKeys: true });
  if (!p || !p.keys) {
    throw new GuardError('NotPaired', 'ECA Guard is not paired with a server yet: open ECA Guard options and paste a pairing code.');
  }
  const org = senderOrg(core, sender);
  if (!org) throw new GuardError('BadMessage', 'This page is not a Salesforce org page.');
  // Visualforce domains run code the org's developers (or anyone they trust) wrote: a page
  // there could show a fake key and secret. Credentials are sent from Setup pages only.
  if (!isSetupSurface(org)) {
    throw new GuardError('BadMessage', 'Credentials are sent only from Salesforce Setup pages, not from Visualforce pages.');
  }
  if (!API_HOST.test(org.apiHost)) throw new GuardError('BadMessage', 'This page is not a Salesforce org page.');
  const key = str(msg.consumerKey);
  const secret = str(msg.consumerSecret);
  if (!VALUE.test(key) || !VALUE.test(secret)) throw new GuardError('BadMessage', 'No consumer key and secret to send.');
  // The record the server files it under: an id or API name, never the page's label (app-id.js).
  // An "API Name" equal to the key or secret was misread from the page: never a record name.
  const apiName = str(msg.apiName);
  const which = appOf(sender, apiName === key || apiName === secret ? '' : apiName);
  if (!which) {
    throw new GuardError(
      'UnknownApp',
      'ECA Guard could not tell which app this is: the page\'s address carries no app id and the page shows no API Name. Nothing was sent.'
    );
  }
  if (pending) {
    api.windows.update(pending.windowId, { focused: true }).catch(() => {});
    throw new GuardError('Busy', 'Not sent: another send is waiting for your answer in ECA Guard\'s confirm window.');
  }
  let pageOrigin = '';
  try {
    pageOrigin = new URL(sender.url).origin;
  } catch (_) {
    /* senderOrg read it already */
  }
  const id = crypto.randomUUID();
  const mine = {
    id,
    windowId: null,
    tabId: sender.tab ? sender.tab.id : null,
    details: {
      org: org.apiHost,
      app: which.app,
      appFrom: which.from,
      label: shownLabel(msg.label),
      key: keyHint(key),
      server: p.name,
      serverUrl: p.server,
      fingerprint: p.fingerprint,
      page: pageOrigin,
      expiresAt: Date.now() + CONFIRM_MS,
    },
    credentials: { keys: p.keys, org: org.apiHost, app: which.app, key, secret, pack: p.pack || null },
  };
  const answer = new Promise((resolve, reject) => Object.assign(mine, { resolve, reject }));
  pending = mine;
  mine.timer = setTimeout(() => settle(mine, { error: notSent('it was not confirmed within 2 minutes.') }), CONFIRM_MS);
  try {
    const win = await api.windows.create({
      url: api.runtime.getURL(`${CONFIRM_PAGE}#${id}`),
      type: 'popup',
      width: 480,
      height: 460,
      focused: true,
    });
    mine.windowId = win.id;
  } catch (_) {
    settle(mine, { error: notSent('ECA Guard could not open its confirm window.') });
  }
  return answer;
}

/** Seals and posts `c` (the admin chose Confirm); the reply carries the integration's next
 * steps from its pack (the paired server's pack, else the one chosen in the options). */
async function deliver(c, server) {
  const module = await onDemand();
  const sealed = module.sealCredentials(c.keys, c.org, c.app, c.key, c.secret);
  const text = await post(sealed.url, sealed.body);
  const receipt = module.openReceipt(sealed.responseKey, sealed.messageId, text);
  return { receipt, server, afterSend: await nextSteps(c.pack, receipt) };
}

async function nextSteps(packId, receipt) {
  try {
    const [module, { config }] = await Promise.all([onDemand(), settings()]);
    const id = packId || config.pack;
    return id ? module.afterSend(config, id, receipt.org, receipt.app) : null;
  } catch (_) {
    return null; // an unknown pack, or settings that do not parse: the status line says enough
  }
}

/** The waiting send a message from the confirm window is about; `Gone` if there is none. */
function mineFor(msg, sender) {
  const fromConfirm = typeof sender.url === 'string' && sender.url.startsWith(api.runtime.getURL(CONFIRM_PAGE));
  const p = pending;
  if (!fromConfirm || !p || typeof msg.id !== 'string' || msg.id !== p.id) {
    throw new GuardError('Gone', 'This send is no longer waiting (it was answered, cancelled or timed out).');
  }
  if (sender.tab && p.windowId !== null && sender.tab.windowId !== p.windowId) {
    throw new GuardError('Gone', 'This send is waiting in another window.');
  }
  return p;
}

async function decide(msg, sender) {
  const p = mineFor(msg, sender);
  if (p.delivering) return { sent: false }; // already confirmed: the post is on its way
  if (msg.confirm !== true) {
    settle(p, { error: notSent('you cancelled it in ECA Guard\'s confirm window.') });
    return { sent: false };
  }
  // Answered: no timeout or window close interrupts the post now; the window stays until it
  // is done, and the secret leaves `p` at once.
  p.delivering = true;
  clearTimeout(p.timer);
  const c = p.credentials;
  p.credentials = null;
  try {
    const value = await deliver(c, p.details.server);
    settle(p, { value });
    return { sent: true };
  } catch (e) {
    settle(p, { error: e });
    throw e;
  }
}

// Closing the window or the tab is a "no".
api.windows.onRemoved.addListener((windowId) => {
  if (pending && pending.windowId === windowId && !pending.delivering) settle(pending, { error: notSent('the confirm window was closed.') });
});
api.tabs.onRemoved.addListener((tabId) => {
  if (pending && pending.tabId === tabId && !pending.delivering) settle(pending, { error: notSent('the Salesforce tab was closed.') });
});

export const handlers = {
  /** Content script, after a trusted click: `{apiName?, label?, consumerKey, consumerSecret}`.
   * Answers once the admin has confirmed (`{receipt, server}`) or not (NotSent). */
  [T.sendCredentials]: (msg, sender) => sendCredentials(msg, sender),
  /** Confirm window: what it asks about (`{id}`); also keeps the worker awake while it waits. */
  [T.confirmDetails]: async (msg, sender) => ({ details: mineFor(msg, sender).details }),
  /** Confirm window: the admin's answer (`{id, confirm}`). */
  [T.confirmDecision]: (msg, sender) => decide(msg, sender),
};
