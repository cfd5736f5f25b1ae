// Which org a message is for, and the popup's answer for an org. The org is always the
// SENDER's (the frame's URL, through the core's orgFromHost), never anything the page says, and
// readings come only from Setup surfaces (isSetupSurface), never from Visualforce pages. What
// the readings mean is the core's (orgStatus); org-memory.js keeps them, badge.js counts.
import '../protocol.js';
import { ready } from './core.js';
import { settings } from './settings.js';
import { GuardError } from './errors.js';
import { asReadings, hasOrgFields, merge, prune, readings, sourcePage, update } from './org-memory.js';
import { countFailing, failingCache, pageErrors, refreshBadges, setBadge, tabHost, writeBadge } from './badge.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;

/** Rules of the popup's rows: the page's own errors are counted apart from these. */

/** host → org (or null): the core's answer for a host never changes while the worker lives. */
const orgByHost = new Map();
function orgOfHost(core, host) {
  if (!host) return null;
  if (!orgByHost.has(host)) {
    if (orgByHost.size > 200) orgByHost.clear();
    orgByHost.set(host, core.orgFromHost(host) || null);
  }
  return orgByHost.get(host);
}

/**
 * Whether an org's host serves Salesforce's own Setup surfaces (Setup, Lightning, the API host's
 * classic pages), not Visualforce, whose pages are code the org's developers wrote and could
 * show a fake Session Settings page or a fake key and secret. Readings and sends come from these
 * only.
 */
export function isSetupSurface(org) {
  return !!org && (org.surface === 'setup' || org.surface === 'lightning' || org.surface === 'api');
}

/** The org of the frame that sent a message (never what the page claims), or null. Used by
 * every handler that acts for an org (readings, credentials, the live probe). */
export function senderOrg(core, sender) {
  let host;
  try {
    host = new URL(sender.url || (sender.tab && sender.tab.url)).hostname;
  } catch (_) {
    return null;
  }
  return orgOfHost(core, host);
}

/** Where Setup links point: the tab's own origin, or the org's Setup host for other surfaces. */
export function setupOriginOf(org, host) {
  if (org.surface === 'visualforce') return 'https://' + org.apiHost.replace(/my\.salesforce\.com$/, 'my.salesforce-setup.com');
  return 'https://' + host;
}

/** The popup's answer for one host: org, pack, rows (the core's orgStatus), notes. */
async function status(host) {
  const core = await ready;
  const org = core.orgFromHost(host);
  if (!org) return { org: null };
  const { config } = await settings();
  const base = { org, host, setupOrigin: setupOriginOf(org, host) };
  if (!config.pack) return { ...base, noPack: true, rows: [] };
  try {
    return { ...base, ...core.orgStatus(asReadings(await readings(org.key)), config, base.setupOrigin) };
  } catch (e) {
    if (e && e.kind === 'UnknownPack') return { ...base, noPack: true, rows: [] };
    throw e;
  }
}

countFailing((host) =>
  status(host).then(
    (s) => {
      const rows = (s.rows || []).filter((r) => r.status === 'fail');
      // Every row's rule, failing or not: a page error with one of them is that org check.
      return { count: rows.length, titles: rows.map((r) => (r.app ? `${r.title}: ${r.app}` : r.title)), rules: (s.rows || []).map((r) => r.rule) };
    },
    () => ({ count: 0, titles: [], rules: [] }) // no pack, or bad settings: the page panel says so
  )
);

// Org memory (storage) and the badge (browser IPCs) are not on the keystroke's path: they run once
// the page has been quiet for SIDE_WORK_MS (at the latest SIDE_WORK_MAX_MS after the first
// change), with the latest snapshot of each frame, so a burst of typing costs one update.
const SIDE_WORK_MS = 100;
const SIDE_WORK_MAX_MS = 1000;
const sideWork = new Map(); // `${tabId}/${frameId}` → job
let sideTimer = 0;
let sideSince = 0;

function later(sender, job) {
  sideWork.set(`${sender.tab ? sender.tab.id : -1}/${sender.frameId || 0}`, job);
  const now = Date.now();
  if (!sideTimer) sideSince = now;
  clearTimeout(sideTimer);
  const wait = Math.max(0, Math.min(SIDE_WORK_MS, sideSince + SIDE_WORK_MAX_MS - now));
  sideTimer = setTimeout(runSideWork, wait);
}

function runSideWork() {
  sideTimer = 0;
  const jobs = [...sideWork.values()];
  sideWork.clear();
  for (const job of jobs) job().catch(() => {});
}

/**
 * After a page was checked (worker/check.js), before the reply: adds the org's notes to the
 * result and notes the page's own errors. Later (see `later`): remembers the org fields of the
 * snapshot and sets the tab's badge (badge.js: the page's errors plus the org's failing checks),
 * or to the page's error count on a host that is no org.
 */
export function afterCheck(core, sender, snapshot, result) {
  const org = senderOrg(core, sender);
  const tabId = sender.tab && sender.tab.id;
  if (!org) {
    const errors = result.counts.errors;
    if (tabId !== undefined && tabId >= 0) later(sender, async () => writeBadge(tabId, errors));
    return result;
  }
  for (const n of org.notes) if (!result.notes.includes(n)) result.notes.push(n);
  if (tabId !== undefined) {
    if (!pageErrors.has(tabId)) pageErrors.set(tabId, new Map());
    const errs = result.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
    pageErrors.get(tabId).set(sender.frameId || 0, errs);
  }
  later(sender, () => remember(org, sender, snapshot));
  return result;
}

async function remember(org, sender, snapshot) {
  const tabId = sender.tab && sender.tab.id;
  // A Visualforce page could dress up as Session Settings: its readings are not the org's.
  if (!hasOrgFields(snapshot) || !isSetupSurface(org)) return setBadge(tabId, tabHost(sender.tab || { url: sender.url }));
  const from = sourcePage(sender);
  const now = Date.now();
  let changed = false;
  await update((all) => {
    const reading = all[org.key] || { fields: {} };
    changed = merge(reading, snapshot, from, now);
    all[org.key] = reading; // saved even when only the time changed: the popup says when it was read
    prune(all);
    return true;
  });
  if (changed) {
    failingCache.delete(org.key);
    await refreshBadges(org.key);
  }
  else await setBadge(tabId, tabHost(sender.tab || { url: sender.url }));
}

/**
 * The page no longer shows a checked form (or cannot be checked: no pack chosen): drop its
 * errors, keep the org's count.
 */
export function afterClear(sender) {
  const tabId = sender.tab && sender.tab.id;
  if (tabId === undefined || tabId < 0) return;
  const frames = pageErrors.get(tabId);
  if (frames) frames.delete(sender.frameId || 0);
  later(sender, async () => {
    const host = tabHost(sender.tab);
    const org = host && orgOfHost(await ready, host);
    if (org) await setBadge(tabId, host);
    else writeBadge(tabId, 0);
  });
}

// ---- popup -----------------------------------------------------------------------------------

async function hostOf(msg) {
  if (typeof msg.host === 'string' && msg.host.length < 260) return msg.host.toLowerCase();
  if (Number.isInteger(msg.tabId)) {
    const tab = await api.tabs.get(msg.tabId);
    return tabHost(tab);
  }
  throw new GuardError('BadMessage', 'Which tab? The popup sends a host or a tab id.');
}

export const handlers = {
  /** Popup: the rows for the org of a host (or tab). */
  [T.orgStatus]: async (msg) => status(await hostOf(msg)),
  /** Popup: forget what was read in an org. */
  [T.forgetOrg]: async (msg) => {
    const core = await ready;
    const org = core.orgFromHost(await hostOf(msg));
    if (!org) return {};
    await update((all) => (delete all[org.key], true));
    failingCache.delete(org.key);
    refreshBadges(org.key);
    return {};
  },
};
