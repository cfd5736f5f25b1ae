// Answers a content script's `{type: 'check', snapshot}` with `{ok, result}` and shows the
// error count on the action badge of that tab.
import { ready } from './core.js';
import { settings } from './settings.js';
import { GuardError } from './errors.js';
import { afterCheck, afterClear } from './org.js';

const api = globalThis.browser || globalThis.chrome;

const shown = new Map(); // tabId → badge text last set
const pending = new Map(); // tabId → badge text to set

/**
 * Sets the tab's badge after the reply has gone out: badge calls are IPCs to the browser that
 * would otherwise queue ahead of the reply and slow every keystroke's highlight. Unchanged
 * badges are not set again.
 */
function badge(tabId, errors) {
  if (tabId === undefined || tabId < 0) return;
  const text = errors > 0 ? String(errors) : '';
  if (!pending.has(tabId) && shown.get(tabId) === text) return;
  const first = !pending.has(tabId);
  pending.set(tabId, text);
  if (!first) return;
  setTimeout(() => {
    const t = pending.get(tabId);
    pending.delete(tabId);
    if (shown.get(tabId) === t) return;
    shown.set(tabId, t);
    // Best effort: the tab may have closed meanwhile.
    api.action.setBadgeText({ tabId, text: t }).catch(() => shown.delete(tabId));
    if (t) api.action.setBadgeBackgroundColor({ tabId, color: '#ba0517' }).catch(() => {});
  }, 0);
}

async function check(msg, sender) {
  if (!msg.snapshot || typeof msg.snapshot !== 'object') throw new GuardError('BadMessage', 'No page snapshot to check.');
  const [core, { config }] = await Promise.all([ready, settings()]);
  if (!config.pack) {
    badge(sender.tab && sender.tab.id, 0);
    throw new GuardError('NoPack', 'Choose the integration this app is for in ECA Guard\'s options.');
  }
  const result = core.check(msg.snapshot, config);
  badge(sender.tab && sender.tab.id, result.counts.errors);
  await afterCheck(sender, msg.snapshot, result); // org notes, org memory, org badge (org.js)
  return { result };
}

export const handlers = {
  check: { from: 'content', run: check },
  /** The page no longer shows a checked form. */
  clear: { from: 'content', run: async (_msg, sender) => (badge(sender.tab && sender.tab.id, 0), await afterClear(sender), {}) },
};
