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
const expected = process.argv[3];
if (expected && core.version() !== expected) {
  throw new Error(`smoke: the Wasm core says version ${core.version()}, Cargo.toml says ${expected}`);
}
// The on-demand module (src/wasm/pages.rs, pairing.rs): the pack list and the options checks;
// core errors are JS Errors with a kind, and pairing errors name their variant.
const pairing = await import(pathToFileURL(join(dir, 'eca_guard_pairing.js')).href);
pairing.initSync({ module: readFileSync(join(dir, 'eca_guard_pairing_bg.wasm')) });
pairing.registerPacks(JSON.parse(readFileSync(join(dir, 'built-in-packs.json'), 'utf8')).map((p) => JSON.stringify(p)));
const packs = pairing.listPacks([]);
if (packs.length < 3) throw new Error('smoke: built-in packs missing');
const opts = pairing.checkOptions({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.example/'] } });
if (!opts.problems.some((p) => p.param === 'callbackUrls' && p.severity === 'error')) throw new Error('smoke: checkOptions missed a final slash');
for (const name of ['pairingBegin', 'listPacks', 'checkOptions', 'afterSend', 'parsePack', 'report']) {
  if (typeof core[name] !== 'undefined') throw new Error(`smoke: the checker carries the on-demand export ${name}`);
}
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
