// The action badge: on any Setup page of an org, one count of what is to fix: the error
// findings in the page's panel (the same findings the panel counts) plus the org's failing
// checks (the popup's rows), each thing once: an error about an org setting (Session Settings,
// IP ranges) is counted as its org check. The tooltip says how the count is made up. Browser
// IPCs, kept off the keystroke's path (org.js `later`).
import '../protocol.js';
import { ready } from './core.js';
import { onSettingsChange } from './settings.js';

const { api } = globalThis.ecaGuardProtocol;

/** Set by org.js: host → Promise of the org's failing checks `{count, titles, rules}` (`rules`:
 * the rule of every org row; null: not an org). */
let failing = async () => null;
export function countFailing(fn) {
  failing = fn;
}

// ---- badge -----------------------------------------------------------------------------------

/** The rules of the error findings of the pages checked in each tab and frame:
 * tabId → Map(frameId → [rule…]), one entry per finding. */
export const pageErrors = new Map();

/** orgKey → Promise of the org's failing checks; dropped when its readings or the settings
 * change, so a keystroke on a form does not re-run the org's checks. */
export const failingCache = new Map();
/** tabId → number of the latest badge update: a slower, older update must not win. */
const badgeSeq = new Map();

async function failingFor(host) {
  const core = await ready;
  const org = core.orgFromHost(host);
  if (!org) return null;
  if (!failingCache.has(org.key)) failingCache.set(org.key, failing(host));
  return failingCache.get(org.key);
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** The tooltip for `page` errors on the page and the org's `org` failing checks (`{count, titles}` or null). */
export function badgeTitle(page, org) {
  const total = page + (org ? org.count : 0);
  if (!total) return 'ECA Guard: nothing to fix here';
  const parts = [];
  if (page) parts.push(`${plural(page, 'error', 'errors')} in this page's ECA Guard panel`);
  if (org && org.count) parts.push(`${plural(org.count, 'failing org check', 'failing org checks')} (${org.titles.join('; ')}): click for the list`);
  return `ECA Guard: ${total} to fix: ${parts.join(', and ')}.`;
}

/** tabId → badge text and title last set. The badge is one IPC per call to the browser, so
 * unchanged text is not set again. */
const badgeText = new Map();
export function writeBadge(tabId, page, org = null) {
  const total = page + (org ? org.count : 0);
  const text = total > 0 ? String(total) : '';
  const title = badgeTitle(page, org);
  if (badgeText.get(tabId) === `${text}\n${title}`) return;
  badgeText.set(tabId, `${text}\n${title}`);
  api.action.setBadgeText({ tabId, text }).catch(() => badgeText.delete(tabId)); // the tab may have closed
  api.action.setTitle({ tabId, title }).catch(() => {});
  if (text) api.action.setBadgeBackgroundColor({ tabId, color: '#ba0517' }).catch(() => {});
}

export async function setBadge(tabId, host) {
  if (tabId === undefined || tabId < 0 || !host) return;
  const seq = (badgeSeq.get(tabId) || 0) + 1;
  badgeSeq.set(tabId, seq);
  const org = await failingFor(host);
  if (org === null || badgeSeq.get(tabId) !== seq) return;
  let page = 0;
  for (const rules of (pageErrors.get(tabId) || new Map()).values()) page += rules.filter((r) => !org.rules.includes(r)).length;
  writeBadge(tabId, page, org);
}

export function tabHost(tab) {
  try {
    return new URL(tab.url).hostname;
  } catch (_) {
    return null;
  }
}

/** Updates the badge of every open tab of `orgKey`. */
export async function refreshBadges(orgKey) {
  const core = await ready;
  const patterns = (api.runtime.getManifest().content_scripts || []).flatMap((c) => c.matches || []);
  let tabs = [];
  try {
    tabs = await api.tabs.query({ url: patterns });
  } catch (_) {
    return;
  }
  for (const t of tabs) {
    const host = tabHost(t);
    const org = host && core.orgFromHost(host);
    if (org && (!orgKey || org.key === orgKey)) await setBadge(t.id, host);
  }
}

// The badge follows the tab: any Setup page of an org shows that org's count.
api.tabs.onUpdated.addListener((tabId, info, tab) => {
  if (info.url) {
    pageErrors.delete(tabId);
    badgeText.delete(tabId); // a new document starts with the default badge
  }
  // Once the tab has loaded (or for an in-page navigation of a loaded tab): the badge can wait,
  // the page's load event should not share the machine with it (docs/ARCHITECTURE.md, "Loading
  // into a page").
  if (info.status !== 'complete' && !(info.url && tab.status === 'complete')) return;
  const host = tabHost(tab);
  if (host) setBadge(tabId, host);
});
api.tabs.onRemoved.addListener((tabId) => {
  pageErrors.delete(tabId);
  badgeSeq.delete(tabId);
  badgeText.delete(tabId);
});
onSettingsChange(() => {
  failingCache.clear();
  setTimeout(() => refreshBadges(null), 50);
});

