// Settings: chrome.storage.local `ecaGuard` (the user's choice, written by the options page),
// overridden key by key by chrome.storage.managed `ecaGuard` (enterprise policy, same shape,
// managed_schema.json). Contract, "Configuration".
import '../protocol.js';
const { api, TYPES: T } = globalThis.ecaGuardProtocol;

export const KEY = 'ecaGuard';

// A pack's own choice parameter (`client`, `environment`, `region`): a short lower-camel name
// with a text value, the shape the core's Params accepts (src/pack/params.rs).
const CHOICE_NAME = /^[a-z][A-Za-z0-9]{0,39}$/;

/** Only the parameters the core accepts (its Params type rejects other shapes). */
function cleanParams(p) {
  const out = {};
  if (!p || typeof p !== 'object') return out;
  for (const [name, v] of Object.entries(p)) {
    if (name === 'callbackUrls' || name === 'serverAddresses') {
      if (Array.isArray(v)) out[name] = v.filter((u) => typeof u === 'string');
    } else if (name === 'salesforceIdp') {
      if (typeof v === 'boolean') out[name] = v;
    } else if (CHOICE_NAME.test(name) && typeof v === 'string') {
      out[name] = v;
    }
  }
  return out;
}

// The last policy seen, kept in storage.local so a cold worker need not wait for
// storage.managed: on Chromium without a policy, managed.get() can take seconds or never answer
// (seen headless on Linux). The fresh value is fetched in the background; when it differs, the
// cache is rewritten, which fires storage.onChanged and re-checks open pages.
const MANAGED_CACHE = 'ecaGuardPolicyCache';
let policyFetch = null;

function refreshPolicy(cachedPolicy) {
  if (policyFetch) return;
  policyFetch = Promise.resolve()
    .then(() => api.storage.managed.get(KEY))
    .then(
      (m) => (m && m[KEY]) || null,
      () => null // no policy, or (Firefox) no managed storage manifest installed
    )
    .then((policy) => {
      if (JSON.stringify(policy) !== JSON.stringify(cachedPolicy ?? null)) {
        return api.storage.local.set({ [MANAGED_CACHE]: policy });
      }
    })
    .catch(() => {});
}

/** A policy's pack is its JSON text (managed_schema.json); the user's are stored parsed. */
function packObject(p) {
  if (typeof p !== 'string') return p && typeof p === 'object' ? p : null;
  try {
    return JSON.parse(p);
  } catch (_) {
    return null; // the core reports unknown pack ids; a broken policy pack cannot be fixed here
  }
}

/** Merges local and managed settings; reports which keys the policy fixes. */
export function merge(local, policy) {
  local = local && typeof local === 'object' ? local : {};
  policy = policy && typeof policy === 'object' ? policy : {};
  const params = { ...cleanParams(local.params), ...cleanParams(policy.params) };
  const policyPacks = (Array.isArray(policy.customPacks) ? policy.customPacks : []).map(packObject).filter(Boolean);
  const localPacks = (Array.isArray(local.customPacks) ? local.customPacks : []).filter(
    (p) => !policyPacks.some((q) => q && p && q.id === p.id)
  );
  return {
    config: {
      pack: typeof policy.pack === 'string' ? policy.pack : typeof local.pack === 'string' ? local.pack : '',
      params,
      customPacks: [...policyPacks, ...localPacks],
    },
    managed: {
      pack: typeof policy.pack === 'string',
      params: Object.keys(cleanParams(policy.params)),
      customPacks: policyPacks.map((p) => p && p.id),
    },
  };
}

let cached = null;

/** The effective settings, read once and kept until storage changes. */
export function settings() {
  if (!cached) {
    cached = api.storage.local.get([KEY, MANAGED_CACHE]).then((l) => {
      refreshPolicy(l[MANAGED_CACHE]);
      return merge(l[KEY], l[MANAGED_CACHE]);
    });
    cached.catch(() => (cached = null));
  }
  return cached;
}

/** Salesforce tabs to re-check; same hosts as the content scripts. */
export function salesforceTabPatterns() {
  const cs = api.runtime.getManifest().content_scripts || [];
  return cs.flatMap((c) => c.matches || []);
}

/** On any settings change: drop the cache and ask open Salesforce pages to check again. */
const changed = [];
/** Calls `fn()` after every settings change (the badge's counts depend on the pack). */
export function onSettingsChange(fn) {
  changed.push(fn);
}

export function watchSettings() {
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed') {
      policyFetch = null; // fetch the new policy; the cache rewrite brings us back here
      api.storage.local.get(MANAGED_CACHE).then((l) => refreshPolicy(l[MANAGED_CACHE]), () => {});
      return;
    }
    if (area !== 'local' || !(KEY in changes || MANAGED_CACHE in changes)) return;
    cached = null;
    for (const fn of changed) fn();
    api.tabs.query({ url: salesforceTabPatterns() }).then(
      (tabs) => {
        for (const t of tabs) api.tabs.sendMessage(t.id, { type: T.recheck }).catch(() => {});
      },
      () => {}
    );
  });
}

export const handlers = {
  /** Options page: the effective settings and what the policy fixes. */
  [T.getSettings]: () => settings(),
  /** Content script: "Open ECA Guard options" in the panel. */
  [T.openOptions]: () => api.runtime.openOptionsPage().then(() => ({})),
};
