// The pairing module (pairing and sealing, with its HPKE crypto): a second Wasm module, loaded
// on first use only, to pair or to send. Most worker starts only check pages and never pay for
// it (src/wasm/mod.rs says why the core is built as two modules).
import '../protocol.js';
import init, * as pairing from '../pkg/eca_guard_pairing.js';

const { api } = globalThis.ecaGuardProtocol;

let loading = null;

/** The pairing module's exports, once loaded (a failed load is tried again next time). */
export function pairingCore() {
  if (!loading) {
    loading = init({ module_or_path: api.runtime.getURL('pkg/eca_guard_pairing_bg.wasm') }).then(() => pairing);
    loading.catch(() => (loading = null));
  }
  return loading;
}
