// Loads the Wasm core once per worker lifetime. `ready` resolves to the module's exports.
// The bytes come with the worker's own scripts (pkg/eca_guard_bytes.js, made by build.sh) and are
// compiled synchronously while the modules evaluate: a cold worker is woken by a message that
// needs the core, and fetching the .wasm instead waits on the browser process, which is busy
// starting this worker (2-5 ms slower to the first result in paired runs). The
// compile is lazy (V8 compiles each function on its first call), about 2-3 ms here.
import * as core from '../pkg/eca_guard.js';
import wasmBytes from '../pkg/eca_guard_bytes.js';

/** Worker start-up milestones (ms since the worker's time origin), for the bench. */
export const timings = { moduleStart: performance.now(), wasmReady: null };

// A promise, so that a broken module fails the messages that need it, not the worker's start.
export const ready = new Promise((resolve) => {
  core.initSync({ module: wasmBytes() });
  timings.wasmReady = performance.now();
  resolve(core);
});
