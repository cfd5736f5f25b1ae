// Loads the Wasm core once per worker lifetime. `ready` resolves to the module's exports.
// The Wasm URL is passed explicitly: the glue's default (import.meta.url) is not reliable in a
// service worker (toolchain.md).
import init, * as core from '../pkg/eca_guard.js';

const api = globalThis.browser || globalThis.chrome;

/** Worker start-up milestones and the end of its first check (ms since the worker's time origin), for the bench. */
export const timings = { moduleStart: performance.now(), wasmReady: null, firstCheck: null };

export const ready = init({ module_or_path: api.runtime.getURL('pkg/eca_guard_bg.wasm') }).then(() => {
  timings.wasmReady = performance.now();
  return core;
});
