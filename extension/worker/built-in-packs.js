// The built-in packs are not inside the Wasm modules (src/pack/builtin.rs): build.sh writes them
// to pkg/built-in-packs.json; each module instance is handed their texts once, at load.
const api = globalThis.browser || globalThis.chrome;

let texts = null;

/** The built-in packs' JSON texts (fetched once per page or worker). */
export function builtInPacks() {
  if (!texts) {
    texts = fetch(api.runtime.getURL('pkg/built-in-packs.json'))
      .then((r) => r.json())
      .then((list) => list.map((p) => JSON.stringify(p)));
    texts.catch(() => (texts = null));
  }
  return texts;
}
