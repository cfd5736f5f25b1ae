// Core check time per snapshot in Wasm under node, through the same JS API the worker calls
// (boundary conversion included), and, given a second module built with the `bench` feature,
// the core check alone inside the module. Usage: node bench-wasm.mjs <pkg dir> [<bench pkg dir>]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { bench } from './bench-table.mjs';

const [dir, benchDir] = process.argv.slice(2);
const core = await import(pathToFileURL(join(dir, 'eca_guard.js')).href);
const t0 = performance.now();
core.initSync({ module: readFileSync(join(dir, 'eca_guard_bg.wasm')) });
core.registerPacks(JSON.parse(readFileSync(join(dir, 'built-in-packs.json'), 'utf8')).map((p) => JSON.stringify(p)));
const initMs = performance.now() - t0;
let inside = null;
if (benchDir) {
  inside = await import(pathToFileURL(join(benchDir, 'eca_guard.js')).href);
  inside.initSync({ module: readFileSync(join(benchDir, 'eca_guard_bg.wasm')) });
  inside.registerPacks(JSON.parse(readFileSync(join(dir, 'built-in-packs.json'), 'utf8')).map((p) => JSON.stringify(p)));
}

const good = {
  page: 'new-eca', name: 'Veeam', apiName: 'Veeam', contactEmail: 'admin@acme.example', distributionState: 'Local',
  oauthEnabled: true, callbackUrl: 'https://veeam.acme.internal\nhttps://172.12.0.1',
  scopes: ['Full access (full)', 'Perform requests at any time (refresh_token, offline_access)'],
  clientCredentialsFlow: false, codeCredentialsFlow: false, requireSecretWebServer: true, requireSecretRefresh: true,
  requirePkce: false, unreadable: [],
};
const wrong = {
  page: 'new-eca', distributionState: 'Packaged', oauthEnabled: true,
  callbackUrl: 'https://veeam.acme.internal/\nhttp://172.12.0.1\nhttps://*.acme.example',
  scopes: ['Full access (full)', 'Manage user data via Web browsers (web)', 'Access the moon (moon_api)'],
  codeCredentialsFlow: false, requireSecretWebServer: false, requireSecretRefresh: true, requirePkce: true, unreadable: [],
};
const api = [];
const insideCheck = [];
for (const pack of ['veeam-eca', 'veeam-connected-app', 'delphix-crt-eca']) {
  const config = { pack, params: { callbackUrls: ['https://veeam.acme.internal', 'https://172.12.0.1'], salesforceIdp: true } };
  const out = [];
  for (const snap of [good, wrong]) {
    for (let i = 0; i < 500; i++) core.check(snap, config);
    const n = 20000;
    const t = performance.now();
    for (let i = 0; i < n; i++) core.check(snap, config);
    out.push(((performance.now() - t) * 1000) / n);
  }
  api.push(...out);
  console.log(`check wasm/node [${pack}]: ${out[0].toFixed(2)} µs (good form), ${out[1].toFixed(2)} µs (wrong form) per snapshot, JS API included (target <= 20 µs)`);
  if (inside) {
    const [g, w] = [good, wrong].map((snap) => (inside.benchCore(snap, config, 500), inside.benchCore(snap, config, 20000)));
    const f = (r) => `${r.check.toFixed(2)} µs (${r.checkAndJson.toFixed(2)} with the reply written as JSON)`;
    console.log(`  inside the module [${pack}]: core check ${f(g)} good form, ${f(w)} wrong form (target <= 20 µs)`);
    insideCheck.push(g.check, w.check);
  }
}
console.log(`wasm initSync under node: ${initMs.toFixed(1)} ms`);
const span = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} µs`;
const verdict = (xs) => (Math.max(...xs) <= 20 ? 'met' : 'missed');
if (insideCheck.length) bench('core check per snapshot, inside the Wasm module (bench build)', span(insideCheck), '<= 20 µs', '—', verdict(insideCheck));
bench('check through the Wasm module\'s JS API under node (JSON in and out)', span(api), '<= 20 µs', '—', verdict(api));
