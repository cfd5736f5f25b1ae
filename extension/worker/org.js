// Org memory: the last reading of each org's Session Settings, IP ranges and app policies, so
// the popup can answer on any Setup page of that org, and the action badge shows how many of
// the org's checks fail.
//
// Trust: the org is always the SENDER's (the frame's URL, through the core's orgFromHost),
// never anything the page says, and readings come only from Setup surfaces (isSetupSurface),
// never from Visualforce pages. Only whitelisted snapshot fields are kept (booleans, policy
// labels, IP ranges, the app's name): no secrets, no page text beyond that.
import '../shared/protocol.js';
import { ready } from './core.js';
import { settings, KEY as SETTINGS_KEY } from './settings.js';
import { GuardError } from './errors.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;

export const STORE_KEY = 'ecaGuardOrgs';

/** Fields an org reading keeps, with their shape. */
const FIELDS = {
  lockSessionsToIp: 'bool',
  lockSessionsToDomain: 'bool',
  enforceIpRangesEveryRequest: 'bool',
  trustedIpRanges: 'ranges',
  loginIpRanges: 'ranges',
  ipRelaxation: 'text',
  permittedUsers: 'text',
  refreshTokenPolicy: 'text',
};
/** Pages whose `name` is the app the policies belong to. */
const APP_PAGES = ['eca-detail', 'connected-app-detail', 'connected-app-edit'];
const POLICY_FIELDS = ['ipRelaxation', 'permittedUsers', 'refreshTokenPolicy'];

// Public Salesforce Help pages the rows cite when the pack has no requirement of its own.
const HELP = {
  session: {
    url: 'https://help.salesforce.com/s/articleView?id=sf.admin_sessions.htm&type=5',
    title: 'Salesforce Help: Modify Session Security Settings',
  },
  network: {
    url: 'https://help.salesforce.com/s/articleView?id=sf.security_networkaccess.htm&type=5',
    title: 'Salesforce Help: Set Trusted IP Ranges for Your Org',
  },
  policies: {
    url: 'https://help.salesforce.com/s/articleView?id=xcloud.manage_external_client_app_oauth_policies.htm&type=5',
    title: 'Salesforce Help: Manage External Client App OAuth Policies',
  },
};

/**
 * The popup's rows (contract: `data-rule`). `packRule` is the pack's rule key; `page` is where
 * the value is read and fixed.
 */
const ROWS = [
  {
    rule: 'session-lock-ip',
    title: 'Lock sessions to the IP address from which they originated',
    fields: ['lockSessionsToIp'],
    packRule: 'lockSessionsToIp',
    setup: '/lightning/setup/SecuritySession/home',
    setupLabel: 'Session Settings',
    help: HELP.session,
  },
  {
    rule: 'session-lock-domain',
    title: 'Lock sessions to the domain in which they were first used',
    fields: ['lockSessionsToDomain'],
    packRule: 'lockSessionsToDomain',
    setup: '/lightning/setup/SecuritySession/home',
    setupLabel: 'Session Settings',
    help: HELP.session,
  },
  {
    rule: 'session-enforce-ip-ranges',
    title: 'Enforce login IP ranges on every request',
    fields: ['enforceIpRangesEveryRequest'],
    packRule: 'enforceIpRangesEveryRequest',
    setup: '/lightning/setup/SecuritySession/home',
    setupLabel: 'Session Settings',
    help: HELP.session,
  },
  {
    rule: 'login-ip-range',
    title: "The integration server's addresses in the org's IP ranges",
    fields: ['trustedIpRanges', 'loginIpRanges'],
    packRule: 'loginIpRange',
    setup: '/lightning/setup/NetworkAccess/home',
    setupLabel: 'Network Access',
    // Login IP Ranges are per profile: the integration user's profile.
    more: [{ path: '/lightning/setup/EnhancedProfiles/home', label: 'Profiles' }],
    help: HELP.network,
  },
  {
    rule: 'ip-relaxation',
    title: 'IP Relaxation (app policy)',
    fields: ['ipRelaxation'],
    packRule: 'ipRelaxation',
    optional: true,
    setup: '/lightning/setup/ManageExternalClientApplication/home',
    setupLabel: 'External Client App Manager',
    help: HELP.policies,
  },
  {
    rule: 'permitted-users',
    title: 'Permitted Users (app policy)',
    fields: ['permittedUsers'],
    packRule: 'permittedUsers',
    optional: true,
    setup: '/lightning/setup/ManageExternalClientApplication/home',
    setupLabel: 'External Client App Manager',
    help: HELP.policies,
  },
];
const ORG_RULES = new Set(ROWS.map((r) => r.rule));

const FIELD_LABEL = {
  trustedIpRanges: 'Network Access: Trusted IP Ranges',
  loginIpRanges: "the integration user's profile: Login IP Ranges",
};

// ---- storage ---------------------------------------------------------------------------------

let queue = Promise.resolve();
/** Runs `fn(all)` on the stored readings, one update at a time; `fn` returns true to save. */
function update(fn) {
  const next = queue.then(async () => {
    const got = await api.storage.local.get(STORE_KEY);
    const all = (got && got[STORE_KEY]) || {};
    if (fn(all)) await api.storage.local.set({ [STORE_KEY]: all });
    return all;
  });
  queue = next.catch(() => {});
  return next;
}

async function readings(key) {
  await queue;
  const got = await api.storage.local.get(STORE_KEY);
  return ((got && got[STORE_KEY]) || {})[key] || { fields: {} };
}

// ---- input hygiene ---------------------------------------------------------------------------

const str = (v, max) => (typeof v === 'string' && v.length <= max ? v : null);

function clean(kind, v) {
  if (kind === 'bool') return typeof v === 'boolean' ? v : null;
  if (kind === 'text') return str(v, 200);
  if (kind === 'ranges') {
    if (!Array.isArray(v) || v.length > 1000) return null;
    const out = [];
    for (const r of v) {
      const start = r && str(r.start, 64);
      const end = r && str(r.end, 64);
      if (start === null || end === null) return null;
      out.push({ start, end });
    }
    return out;
  }
  return null;
}

/** Where a reading came from, for the popup: the tab's page (Lightning URL), without the query
 * except Setup's `address` (which names the classic page, e.g. a profile). */
function sourcePage(sender) {
  try {
    const u = new URL((sender.tab && sender.tab.url) || sender.url);
    const address = u.searchParams.get('address');
    return u.origin + u.pathname + (address ? `?address=${encodeURIComponent(address)}` : '');
  } catch (_) {
    return null;
  }
}

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

/** Merges the org fields of one snapshot into the stored reading. Returns true if it changed. */
function merge(reading, snapshot, from, now) {
  let changed = false;
  const unreadable = new Map();
  if (Array.isArray(snapshot.unreadable)) {
    for (const u of snapshot.unreadable) {
      if (u && Object.hasOwn(FIELDS, u.field)) unreadable.set(u.field, str(u.reason, 300) || 'could not be read');
    }
  }
  const set = (field, entry) => {
    const old = reading.fields[field];
    const same = old && JSON.stringify({ ...old, readAt: 0 }) === JSON.stringify({ ...entry, readAt: 0 });
    reading.fields[field] = entry;
    if (!same) changed = true;
  };
  for (const [field, kind] of Object.entries(FIELDS)) {
    if (unreadable.has(field)) {
      set(field, { unreadable: unreadable.get(field), page: snapshot.page, from, readAt: now });
    } else if (Object.hasOwn(snapshot, field)) {
      const value = clean(kind, snapshot[field]);
      if (value !== null) set(field, { value, page: snapshot.page, from, readAt: now });
    }
  }
  if (APP_PAGES.includes(snapshot.page) && POLICY_FIELDS.some((f) => Object.hasOwn(snapshot, f) || unreadable.has(f))) {
    const app = str(snapshot.name, 200);
    if (reading.app !== app) {
      reading.app = app;
      changed = true;
    }
  }
  return changed;
}

// ---- rows ------------------------------------------------------------------------------------

function show(kind, value) {
  if (kind === 'bool') return value ? 'On' : 'Off';
  if (kind === 'ranges') {
    if (!value.length) return 'no ranges';
    const shown = value.slice(0, 3).map((r) => (r.start === r.end ? r.start : `${r.start} – ${r.end}`));
    return shown.join(', ') + (value.length > 3 ? ` and ${value.length - 3} more` : '');
  }
  return String(value);
}

function sourceOf(pack, ruleKey, fallback) {
  const rule = pack && pack.rules && pack.rules[ruleKey];
  const src = rule && pack.sources.find((s) => s.id === rule.source);
  return src ? { url: src.url, title: src.title } : fallback;
}

function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)} minutes ago`;
  if (s < 129600) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** Builds one popup row from the stored reading and the check result. */
function row(spec, ctx) {
  const { pack, reading, result, setupOrigin, now } = ctx;
  const packRule = pack.rules[spec.packRule];
  const entries = spec.fields.map((f) => ({ field: f, entry: reading.fields[f] }));
  const known = entries.filter((e) => e.entry && Object.hasOwn(e.entry, 'value'));
  const unreadable = entries.filter((e) => e.entry && e.entry.unreadable);
  const findings = result ? result.findings.filter((f) => f.rule === spec.rule && spec.fields.includes(f.field)) : [];
  const setupUrl = setupOrigin + spec.setup;
  const base = {
    rule: spec.rule,
    title: spec.title,
    setupUrl,
    setupLabel: spec.setupLabel,
    setupMore: (spec.more || []).map((m) => ({ url: setupOrigin + m.path, label: m.label })),
    source: sourceOf(pack, spec.packRule, spec.help),
    values: known.map(({ field, entry }) => ({
      field,
      label: FIELD_LABEL[field] || null,
      shown: show(FIELDS[field], entry.value),
      readAt: entry.readAt,
      readAgo: ago(now - entry.readAt),
      from: entry.from,
    })),
    couldNotRead: unreadable.map(({ field, entry }) => ({ field, reason: entry.unreadable, from: entry.from })),
    app: POLICY_FIELDS.includes(spec.fields[0]) ? reading.app || null : null,
    findings: findings.map((f) => ({ severity: f.severity, message: f.message, fix: f.fix })),
  };
  if (spec.optional && !known.length && !unreadable.length && !packRule) return null;

  const firstSource = findings[0] ? { url: findings[0].source, title: findings[0].sourceTitle } : null;
  const worst = (sev) => findings.some((f) => f.severity === sev);

  if (spec.rule === 'login-ip-range') return ipRow(base, { spec, pack, packRule, findings, known, unreadable, reading, firstSource });

  if (!known.length) {
    if (unreadable.length) {
      return { ...base, status: 'unknown', why: `ECA Guard could not read this setting on ${spec.setupLabel} (${unreadable[0].entry.unreadable}). Check it by hand.`, fix: `Open ${spec.setupLabel} and check the setting by hand.` };
    }
    return { ...base, status: 'unknown', why: `Not read yet: open ${spec.setupLabel} in this org and ECA Guard will remember what it shows.`, fix: `Open ${spec.setupLabel}.` };
  }
  const shown = base.values[0].shown;
  if (!packRule) {
    return { ...base, status: 'pass', why: `No requirement from ${pack.name}; shown for reference.`, fix: '', noRequirement: true };
  }
  // A choice the core does not recognise comes back as a warning where the pack expects an
  // error: that is "cannot tell", not "wrong".
  const expected = packRule.severity || 'error';
  const unrecognised = findings.length && findings.every((f) => f.severity === 'warning') && expected !== 'warning' && FIELDS[spec.fields[0]] === 'text';
  if (unrecognised) {
    return { ...base, status: 'unknown', why: findings[0].message, fix: findings[0].fix, source: firstSource || base.source };
  }
  if (worst('error') || worst('warning')) {
    const f = findings.find((x) => x.severity === 'error') || findings.find((x) => x.severity === 'warning');
    return { ...base, status: 'fail', why: f.message, fix: f.fix, source: firstSource || base.source };
  }
  if (worst('deviation')) {
    const f = findings.find((x) => x.severity === 'deviation');
    return { ...base, status: 'deviation', why: f.message, fix: f.fix, source: firstSource || base.source };
  }
  return { ...base, status: 'pass', why: `Currently ${shown}, as ${pack.name} needs.`, fix: '' };
}

/** login-ip-range: the trusted ranges (Network Access) and the profile's Login IP Ranges. */
function ipRow(base, { pack, packRule, findings, known, unreadable, reading, firstSource }) {
  const trusted = reading.fields.trustedIpRanges;
  const login = reading.fields.loginIpRanges;
  const has = (e) => e && Object.hasOwn(e, 'value');
  const notes = [];
  if (!has(trusted)) notes.push(trusted && trusted.unreadable ? `Trusted IP ranges could not be read (${trusted.unreadable}).` : 'Trusted IP ranges not read yet (Network Access).');
  if (!has(login)) notes.push(login && login.unreadable ? `Profile Login IP Ranges could not be read (${login.unreadable}).` : "The integration user's profile Login IP Ranges not read yet (open the profile in Setup › Profiles).");
  const tail = notes.length ? ' ' + notes.join(' ') : '';
  if (!known.length) {
    const why = unreadable.length ? `ECA Guard could not read the IP ranges.${tail}` : `Not read yet.${tail}`;
    return { ...base, status: 'unknown', why: why.trim(), fix: 'Open Network Access, and the integration user\'s profile, in this org.' };
  }
  if (!packRule) return { ...base, status: 'pass', why: `No requirement from ${pack.name}.${tail}`, fix: '', noRequirement: true };
  const bad = findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
  if (bad.length) {
    const f = bad.find((x) => x.severity === 'error') || bad[0];
    return { ...base, status: 'fail', why: bad.map((x) => x.message).join(' ') + tail, fix: f.fix, source: firstSource || base.source };
  }
  const info = findings.find((f) => f.severity === 'info');
  if (info) return { ...base, status: 'unknown', why: info.message + tail, fix: info.fix, source: firstSource || base.source };
  if (!has(login)) {
    return { ...base, status: 'unknown', why: `The server's addresses are inside the trusted IP ranges.${tail}`, fix: "Open the integration user's profile in Setup so ECA Guard can read its Login IP Ranges." };
  }
  const what = login.value.length ? "inside the profile's Login IP Ranges" : 'allowed: the profile has no Login IP Ranges';
  return { ...base, status: 'pass', why: `The server's addresses are ${what}.${tail}`, fix: '' };
}

/** Where Setup links point: the tab's own origin, or the org's Setup host for other surfaces. */
function setupOriginOf(org, host) {
  if (org.surface === 'visualforce') return 'https://' + org.apiHost.replace(/my\.salesforce\.com$/, 'my.salesforce-setup.com');
  return 'https://' + host;
}

/** The popup's answer for one host: org, pack, rows, notes. */
async function status(host) {
  const core = await ready;
  const org = core.orgFromHost(host);
  if (!org) return { org: null };
  const { config } = await settings();
  const reading = await readings(org.key);
  const base = { org, host, setupOrigin: setupOriginOf(org, host) };
  if (!config.pack) return { ...base, noPack: true, rows: [] };
  const packs = core.listPacks(config.customPacks);
  const pack = packs.find((p) => p.id === config.pack);
  if (!pack) return { ...base, noPack: true, rows: [] };
  const snapshot = { page: 'session-settings', unreadable: [] };
  for (const [field, entry] of Object.entries(reading.fields)) {
    if (entry && Object.hasOwn(entry, 'value')) snapshot[field] = entry.value;
  }
  const result = core.check(snapshot, config);
  const ctx = { pack, reading, result, setupOrigin: base.setupOrigin, now: Date.now() };
  const rows = ROWS.map((spec) => row(spec, ctx)).filter(Boolean);
  return {
    ...base,
    pack: { id: pack.id, name: pack.name, appType: pack.appType },
    rows,
    failing: rows.filter((r) => r.status === 'fail').length,
    packNotes: pack.notes || [],
  };
}

// ---- badge -----------------------------------------------------------------------------------

/** Error rules of app pages checked in each tab and frame: tabId → Map(frameId → Set). */
const pageErrors = new Map();

/** orgKey → Promise of the org's failing-check count; dropped when its readings or the settings
 * change, so a keystroke on a form does not re-run the org's checks. */
const failingCache = new Map();
/** tabId → number of the latest badge update: a slower, older update must not win. */
const badgeSeq = new Map();

async function failingFor(host) {
  const core = await ready;
  const org = core.orgFromHost(host);
  if (!org) return null;
  if (!failingCache.has(org.key)) {
    const p = status(host).then(
      (s) => s.failing || 0,
      () => 0 // no pack, or bad settings: the page panel says so
    );
    failingCache.set(org.key, p);
  }
  return failingCache.get(org.key);
}

/** tabId → badge text last set. The badge is one IPC per call to the browser, so unchanged
 * text is not set again. */
const badgeText = new Map();
function writeBadge(tabId, text) {
  if (badgeText.get(tabId) === text) return;
  badgeText.set(tabId, text);
  api.action.setBadgeText({ tabId, text }).catch(() => badgeText.delete(tabId)); // the tab may have closed
  if (text) api.action.setBadgeBackgroundColor({ tabId, color: '#ba0517' }).catch(() => {});
}

async function setBadge(tabId, host) {
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

function tabHost(tab) {
  try {
    return new URL(tab.url).hostname;
  } catch (_) {
    return null;
  }
}

/** Updates the badge of every open tab of `orgKey`. */
async function refreshBadges(orgKey) {
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
    const org = host && orgOfHost(core, host);
    if (org && (!orgKey || org.key === orgKey)) await setBadge(t.id, host);
  }
}

// ---- hooks for check.js ------------------------------------------------------------------------

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
 * snapshot and sets the tab's badge to the org's failing checks plus the page's own errors, or
 * to the page's error count on a host that is no org.
 */
export function afterCheck(core, sender, snapshot, result) {
  const org = senderOrg(core, sender);
  const tabId = sender.tab && sender.tab.id;
  if (!org) {
    const errors = result.counts.errors;
    if (tabId !== undefined && tabId >= 0) later(sender, async () => writeBadge(tabId, errors > 0 ? String(errors) : ''));
    return result;
  }
  for (const n of org.notes) if (!result.notes.includes(n)) result.notes.push(n);
  if (tabId !== undefined) {
    if (!pageErrors.has(tabId)) pageErrors.set(tabId, new Map());
    const errs = new Set(result.findings.filter((f) => f.severity === 'error' && !ORG_RULES.has(f.rule)).map((f) => f.rule));
    pageErrors.get(tabId).set(sender.frameId || 0, errs);
  }
  later(sender, () => remember(org, sender, snapshot));
  return result;
}

/** Keeps the MAX_ORGS orgs read most recently (an admin of many sandboxes must not fill storage). */
const MAX_ORGS = 50;
function prune(all) {
  const keys = Object.keys(all);
  if (keys.length <= MAX_ORGS) return;
  const last = (k) => Math.max(0, ...Object.values(all[k].fields || {}).map((e) => e.readAt || 0));
  keys.sort((a, b) => last(b) - last(a));
  for (const k of keys.slice(MAX_ORGS)) delete all[k];
}

function hasOrgFields(snapshot) {
  if (Object.keys(FIELDS).some((f) => Object.hasOwn(snapshot, f))) return true;
  return Array.isArray(snapshot.unreadable) && snapshot.unreadable.some((u) => u && Object.hasOwn(FIELDS, u.field));
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
    else writeBadge(tabId, '');
  });
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
api.storage.onChanged.addListener((changes, area) => {
  if (SETTINGS_KEY in changes && (area === 'local' || area === 'managed')) {
    failingCache.clear();
    setTimeout(() => refreshBadges(null), 50);
  }
});

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
