// Where the pairing lives: IndexedDB of the extension's own origin, never chrome.storage.
//
// Why: chrome.storage.local is readable from content scripts by default, and storage.onChanged
// carries every write to every Salesforce tab's content script. Content scripts run inside
// pages that are hostile (docs/server.md, "What is protected"), so the browser's own pairing key
// must not be in any area they can read. IndexedDB is per origin: the extension's database is
// reachable from its worker and its own pages only, never from a content script (whose
// IndexedDB is the page's).
//
// The pairing's key string (`keys`, `ecagk1.…` from the core) is kept encrypted (AES-GCM) under
// a WebCrypto key made non-extractable, stored next to it: script that can read the record
// cannot turn it into the key without using the extension's own origin. This does not protect
// against someone who copies the browser profile (the database holds the wrapping key too):
// docs/server.md says what a stolen profile yields.
//
// A pairing an earlier version kept in chrome.storage.local (`ecaGuardPairing`) moves here the
// first time it is needed, and at the update that brings this version (onInstalled), and is
// then removed from chrome.storage.local.
const api = globalThis.browser || globalThis.chrome;

const DB_NAME = 'eca-guard';
const STORE = 'pairing';
const RECORD = 'current';
/** The key an earlier version used in chrome.storage.local. */
const LEGACY_KEY = 'ecaGuardPairing';

let dbOpen = null;
function db() {
  if (!dbOpen) {
    dbOpen = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    dbOpen.catch(() => (dbOpen = null));
  }
  return dbOpen;
}

/** Runs `fn(store)` in one transaction; resolves to its request's result once committed. */
async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = t.onabort = () => reject(t.error);
  });
}

/** The pairing without its key string: what the worker and its pages may show. */
function withoutKeys(p) {
  const { keys: _keys, ...rest } = p;
  return rest;
}

/** Keeps `pairing` (`{keys, server, name, …}`), replacing any earlier one. */
export async function writePairing(pairing) {
  const wrap = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrap, new TextEncoder().encode(pairing.keys));
  await tx('readwrite', (s) => s.put({ v: 1, wrap, iv, sealed, info: withoutKeys(pairing) }, RECORD));
}

export async function clearPairing() {
  await tx('readwrite', (s) => s.delete(RECORD));
  await api.storage.local.remove(LEGACY_KEY);
}

let migration = null;

/** Moves an earlier version's pairing out of chrome.storage.local (once per worker lifetime). */
export function migrate() {
  if (!migration) {
    migration = (async () => {
      const l = await api.storage.local.get(LEGACY_KEY);
      const old = l[LEGACY_KEY];
      if (!old) return;
      // Only an earlier version writes it there, so it is the newer pairing if both exist.
      if (typeof old === 'object' && typeof old.keys === 'string') await writePairing(old);
      await api.storage.local.remove(LEGACY_KEY);
    })();
    migration.catch(() => (migration = null)); // try again next time
  }
  return migration;
}

/**
 * The pairing, or null. `withKeys`: also its key string (for sealing); without, the record
 * has no `keys` at all.
 */
export async function readPairing({ withKeys = false } = {}) {
  await migrate();
  const r = await tx('readonly', (s) => s.get(RECORD));
  if (!r || !r.info) return null;
  if (!withKeys) return { ...r.info };
  let keys;
  try {
    keys = new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: r.iv }, r.wrap, r.sealed));
  } catch (_) {
    return null; // damaged: as if not paired, so the options page offers to pair again
  }
  return { ...r.info, keys };
}

// Chromium can keep content scripts out of chrome.storage.local altogether; nothing of ours
// reads it there (content scripts ask the worker). Firefox has no such switch (setAccessLevel
// is storage.session only there); the pairing is not in chrome.storage either way.
function restrictStorage() {
  const local = api.storage.local;
  if (typeof local.setAccessLevel !== 'function') return Promise.resolve();
  return Promise.resolve()
    .then(() => local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }))
    .catch(() => {}); // not supported for this area in this browser version
}

// At install and at each update: restrict storage first, so that removing the earlier
// version's record reaches no content script's storage.onChanged.
api.runtime.onInstalled.addListener(() => {
  restrictStorage().then(migrate).catch(() => {});
});
