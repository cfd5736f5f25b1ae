// Loads the checker (the Wasm core's module for every worker start; on-demand.js has the other)
// once per worker lifetime. `ready` resolves to the module's exports.
// The Wasm URL is passed explicitly: the glue's default (import.meta.url) is not reliable in a
// service worker (docs/toolchain.md).
import init, * as core from '../pkg/eca_guard.js';
import { builtInPacks } from './built-in-packs.js';

const api = globalThis.browser || globalThis.chrome;

/**
 * Worker start-up milestones and the end of its first check (ms since the worker's time origin),
 * for the bench; `checks`: page checks answered since the worker started, so a test can count
 * what an idle page sends (tests/e2e/guards.test.mjs). Counts only, never page data.
 */
export const timings = { moduleStart: performance.now(), wasmReady: null, firstCheck: null, checks: 0 };

/** The module's linear memory, once loaded (its size is a bench figure: worker/diag.js). */
export let memory = null;

export const ready = Promise.all([init({ module_or_path: api.runtime.getURL('pkg/eca_guard_bg.wasm') }), builtInPacks()]).then(([exports, packs]) => {
  memory = exports.memory || null;
  core.registerPacks(packs);
  timings.wasmReady = performance.now();
  return core;
});
