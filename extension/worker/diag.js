// Diagnostics: `ping` answers at once without touching the Wasm core or storage. The bench
// (`./build.sh bench`) times it as the bare content-script ↔ worker round trip that the
// keystroke-to-highlight latency is compared with.
export const handlers = {
  ping: { from: 'any', run: async () => ({}) },
};
