// The on-demand Wasm module (src/wasm/mod.rs): pairing and sealing with the HPKE crypto, and
// what only extension pages or a send need (the pack list, custom pack validation, the options
// form's checks, an integration's next steps). Loaded on first use only: by the options page, to
// pair, or to send; most worker starts only check pages and never pay for it.
import '../protocol.js';
import init, * as module from '../pkg/eca_guard_pairing.js';
import { builtInPacks } from './built-in-packs.js';

const { api } = globalThis.ecaGuardProtocol;

let loading = null;

/** The on-demand module's exports, once loaded (a failed load is tried again next time). */
export function onDemand() {
  if (!loading) {
    loading = Promise.all([init({ module_or_path: api.runtime.getURL('pkg/eca_guard_pairing_bg.wasm') }), builtInPacks()]).then(([, packs]) => {
      module.registerPacks(packs);
      return module;
    });
    loading.catch(() => (loading = null));
  }
  return loading;
}
