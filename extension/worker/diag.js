// Diagnostics. `ping` answers at once without touching the Wasm core or storage: the bench
// (`./build.sh bench`) times it as the bare content-script ↔ worker round trip that the
// keystroke-to-highlight latency is compared with. `timings` reports the worker's start-up
// milestones (no page data, no settings).
import { timings } from './core.js';

export const handlers = {
  ping: { from: 'any', run: async () => ({}) },
  // origin: the worker's time origin (epoch ms), to place its milestones against the sender's clock.
  timings: { from: 'any', run: async () => ({ timings: { ...timings, origin: performance.timeOrigin, now: performance.now() } }) },
};
