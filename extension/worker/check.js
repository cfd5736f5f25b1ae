// Answers a content script's `{type: 'check', snapshot}` with `{ok, result}` and shows the
// error count on the action badge of that tab.
import { ready } from './core.js';
import { settings } from './settings.js';
import { GuardError } from './errors.js';
import { afterCheck, afterClear } from './org.js';

const api = globalThis.browser || globalThis.chrome;

function badge(tabId, errors) {
  if (tabId === undefined || tabId < 0) return;
  const text = errors > 0 ? String(errors) : '';
  // Badge updates are best effort (the tab may have closed meanwhile).
  api.action.setBadgeText({ tabId, text }).catch(() => {});
  if (errors > 0) api.action.setBadgeBackgroundColor({ tabId, color: '#ba0517' }).catch(() => {});
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
