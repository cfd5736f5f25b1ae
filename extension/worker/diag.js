// Diagnostics. `ping` answers at once without touching the Wasm core or storage: the bench
// (`./build.sh bench`) times it as the bare content-script ↔ worker round trip that the
// keystroke-to-highlight latency is compared with. `timings` reports the worker's start-up
// milestones (no page data, no settings) and the checker's Wasm memory in bytes.
import '../protocol.js';
import { memory, timings } from './core.js';

const { TYPES: T } = globalThis.ecaGuardProtocol;

export const handlers = {
  [T.ping]: async () => ({}),
  // origin: the worker's time origin (epoch ms), to place its milestones against the sender's clock.
  [T.timings]: async () => ({ timings: { ...timings, origin: performance.timeOrigin, now: performance.now(), wasmBytes: memory ? memory.buffer.byteLength : null } }),
};
