// Smoke test for the optimized Wasm modules (docs/toolchain.md: a broken wasm-opt fails silently; prove the
// module instantiates and checks before it is packaged). Usage: node smoke.mjs <pkg dir> [version]
// With a version (build.sh: Cargo.toml's), the module's own `version()` must equal it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const core = await import(pathToFileURL(join(dir, 'eca_guard.js')).href);
core.initSync({ module: readFileSync(join(dir, 'eca_guard_bg.wasm')) });
core.registerPacks(JSON.parse(readFileSync(join(dir, 'built-in-packs.json'), 'utf8')).map((p) => JSON.stringify(p)));
const r = core.check({ page: 'new-eca', oauthEnabled: false }, { pack: 'veeam-eca', params: {} });
if (!r.findings.some((f) => f.rule === 'oauth-disabled')) throw new Error('smoke: no oauth-disabled finding');
const packs = core.listPacks([]);
const expected = process.argv[3];
if (expected && core.version() !== expected) {
  throw new Error(`smoke: the Wasm core says version ${core.version()}, Cargo.toml says ${expected}`);
}
if (packs.length < 3) throw new Error('smoke: built-in packs missing');
// The pairing module (src/wasm/pairing.rs): core errors are JS Errors with a kind, and pairing
// errors name their variant.
const pairing = await import(pathToFileURL(join(dir, 'eca_guard_pairing.js')).href);
pairing.initSync({ module: readFileSync(join(dir, 'eca_guard_pairing_bg.wasm')) });
if (typeof core.pairingBegin !== 'undefined') throw new Error('smoke: the checker carries the pairing exports');
let err = null;
try {
  pairing.pairingBegin('not a code');
} catch (e) {
  err = e;
}
if (!err || err.name !== 'EcaGuardError' || err.kind !== 'Pairing' || err.variant !== 'NotACode') {
  throw new Error(`smoke: a bad pairing code gave ${err && `${err.name}/${err.kind}/${err.variant}`}`);
}
console.log(`    smoke ok: version ${core.version()}, ${packs.length} packs, check → ${r.findings.length} finding(s)`);
