// Org memory: the last reading of each org's Session Settings, IP ranges and app policies
// (values only, never secrets), in chrome.storage.local under `ecaGuardOrgs`, so the popup can
// answer on any Setup page of that org. The core decides what the readings mean (orgStatus,
// src/org_status/); this file only keeps them, with where and when each was read.
import '../protocol.js';

const { api } = globalThis.ecaGuardProtocol;

export const STORE_KEY = 'ecaGuardOrgs';

/** Fields an org reading keeps, with their shape (the org-wide settings and the app policies
 * the popup shows: src/org_status/ `row_fields`). */
export const FIELDS = {
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

// ---- storage ---------------------------------------------------------------------------------

let queue = Promise.resolve();
/** Runs `fn(all)` on the stored readings, one update at a time; `fn` returns true to save. */
export function update(fn) {
  const next = queue.then(async () => {
    const got = await api.storage.local.get(STORE_KEY);
    const all = (got && got[STORE_KEY]) || {};
    if (fn(all)) await api.storage.local.set({ [STORE_KEY]: all });
    return all;
  });
  queue = next.catch(() => {});
  return next;
}

export async function readings(key) {
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
export function sourcePage(sender) {
  try {
    const u = new URL((sender.tab && sender.tab.url) || sender.url);
    const address = u.searchParams.get('address');
    return u.origin + u.pathname + (address ? `?address=${encodeURIComponent(address)}` : '');
  } catch (_) {
    return null;
  }
}

/** Merges the org fields of one snapshot into the stored reading. Returns true if it changed. */
export function merge(reading, snapshot, from, now) {
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

/** Keeps the MAX_ORGS orgs read most recently (an admin of many sandboxes must not fill storage). */
const MAX_ORGS = 50;
export function prune(all) {
  const keys = Object.keys(all);
  if (keys.length <= MAX_ORGS) return;
  const last = (k) => Math.max(0, ...Object.values(all[k].fields || {}).map((e) => e.readAt || 0));
  keys.sort((a, b) => last(b) - last(a));
  for (const k of keys.slice(MAX_ORGS)) delete all[k];
}

export function hasOrgFields(snapshot) {
  if (Object.keys(FIELDS).some((f) => Object.hasOwn(snapshot, f))) return true;
  return Array.isArray(snapshot.unreadable) && snapshot.unreadable.some((u) => u && Object.hasOwn(FIELDS, u.field));
}


/** A stored reading as the core's `orgStatus` takes it: one snapshot of the values and the
 * unreadable fields, and where and when each was read. */
export function asReadings(reading) {
  const snapshot = { page: 'session-settings', unreadable: [] };
  const read = {};
  for (const [field, entry] of Object.entries(reading.fields || {})) {
    if (!entry || !Object.hasOwn(FIELDS, field)) continue;
    if (Object.hasOwn(entry, 'value')) snapshot[field] = entry.value;
    else if (entry.unreadable) snapshot.unreadable.push({ field, reason: String(entry.unreadable) });
    read[field] = { from: typeof entry.from === 'string' ? entry.from : null, readAt: Math.round(+entry.readAt || 0) };
  }
  return { snapshot, read, app: typeof reading.app === 'string' ? reading.app : null };
}
