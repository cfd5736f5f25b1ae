// The action badge: on any Setup page of an org, the number of the org's failing checks plus
// the page's own errors. Browser IPCs, kept off the keystroke's path (org.js `later`).
import '../protocol.js';
import { ready } from './core.js';
import { onSettingsChange } from './settings.js';

const { api } = globalThis.ecaGuardProtocol;

/** Set by org.js: host → Promise of the org's failing-check count (null: not an org). */
let failing = async () => null;
export function countFailing(fn) {
  failing = fn;
}

// ---- badge -----------------------------------------------------------------------------------

/** Error rules of app pages checked in each tab and frame: tabId → Map(frameId → Set). */
export const pageErrors = new Map();

/** orgKey → Promise of the org's failing-check count; dropped when its readings or the settings
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

/** tabId → badge text last set. The badge is one IPC per call to the browser, so unchanged
 * text is not set again. */
const badgeText = new Map();
export function writeBadge(tabId, text) {
  if (badgeText.get(tabId) === text) return;
  badgeText.set(tabId, text);
  api.action.setBadgeText({ tabId, text }).catch(() => badgeText.delete(tabId)); // the tab may have closed
  if (text) api.action.setBadgeBackgroundColor({ tabId, color: '#ba0517' }).catch(() => {});
}

export async function setBadge(tabId, host) {
  if (tabId === undefined || tabId < 0 || !host) return;
  const seq = (badgeSeq.get(tabId) || 0) + 1;
  badgeSeq.set(tabId, seq);
  let count = await failingFor(host);
  if (count === null || badgeSeq.get(tabId) !== seq) return;
  const frames = pageErrors.get(tabId);
  if (frames) {
    const rules = new Set();
    for (const set of frames.values()) for (const r of set) rules.add(r);
    count += rules.size;
  }
  writeBadge(tabId, count > 0 ? String(count) : '');
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
  if (!info.url && info.status !== 'complete') return;
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

