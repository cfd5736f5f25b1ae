// Loads the Wasm core once per worker lifetime. `ready` resolves to the module's exports.
// The Wasm URL is passed explicitly: the glue's default (import.meta.url) is not reliable in a
// service worker (docs/toolchain.md).
import init, * as core from '../pkg/eca_guard.js';

const api = globalThis.browser || globalThis.chrome;

/** Worker start-up milestones and the end of its first check (ms since the worker's time origin), for the bench. */
export const timings = { moduleStart: performance.now(), wasmReady: null, firstCheck: null };

// The built-in packs are not inside the module (src/pack/builtin.rs): build.sh writes them to
// pkg/built-in-packs.json, fetched alongside the module and handed to it once.
const packs = fetch(api.runtime.getURL('pkg/built-in-packs.json')).then((r) => r.json());

export const ready = Promise.all([init({ module_or_path: api.runtime.getURL('pkg/eca_guard_bg.wasm') }), packs]).then(([, list]) => {
  core.registerPacks(list.map((p) => JSON.stringify(p)));
  timings.wasmReady = performance.now();
  return core;
});
