// The built manifest (dist/chromium, dist/firefox) against what the product needs, without a
// browser: the content scripts run, and the extension holds host access, on exactly the org
// hosts Salesforce serves Setup, Lightning, the API host's classic pages and Visualforce from
// (commercial, Government Cloud .mil, China .cn, and the Defender for Cloud Apps proxy's
// `.mcas.ms` forms of each), and on no public Site or other Salesforce host; every pattern is a
// host the core recognises as an org's (src/org.rs); extension pages allow no plugins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

/** Org hosts ECA Guard must work on (Setup, Lightning, API/classic, Visualforce frames). */
const NEEDED = [
  'acme.my.salesforce.com',
  'acme.my.salesforce-setup.com',
  'acme.lightning.force.com',
  'acme--c.vf.force.com',
  'acme--c.visualforce.com',
  'acme.my.salesforce.mil',
  'acme.my.salesforce-setup.mil',
  'acme.lightning.force.mil',
  'acme.my.sfcrmproducts.cn',
  'acme.my.sfcrmapps.cn',
  'acme.lightning.sfcrmapps.cn',
  'acme--uat.sandbox.my.salesforce-setup.com',
];
/** Hosts it must not run on: public Sites and Experience Cloud, login, Salesforce's own sites. */
const NOT = [
  'acme.my.site.com',
  'acme.force.com',
  'acme.secure.force.com',
  'acme.my.salesforce-sites.com',
  'login.salesforce.com',
  'help.salesforce.com',
  'acme.salesforce.mil',
  'acme.sfcrmapps.cn',
  'acme.force.com.mcas.ms',
];

/** Whether a match pattern of the form https://*.suffix/* covers https://host/. */
function covers(pattern, host) {
  const m = pattern.match(/^https:\/\/\*\.([a-z0-9.-]+)\/\*$/);
  assert.ok(m, `a pattern of the form https://*.<suffix>/*: ${pattern}`);
  return host === m[1] || host.endsWith(`.${m[1]}`);
}

for (const browser of ['chromium', 'firefox']) {
  test(`${browser} manifest: content scripts and host access on exactly the org hosts; no plugins in extension pages`, async (t) => {
    const path = join(DIST, browser, 'manifest.json');
    if (!existsSync(path)) return t.skip(`no build at ${path}: run ./build.sh build`);
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    const hosts = manifest.host_permissions;
    assert.equal(manifest.content_scripts.length, 1);
    assert.deepEqual(manifest.content_scripts[0].matches, hosts, 'content-script matches and host_permissions agree');
    for (const h of NEEDED) {
      for (const host of [h, `${h}.mcas.ms`]) assert.ok(hosts.some((p) => covers(p, host)), `no pattern covers ${host}`);
    }
    for (const host of NOT) assert.ok(!hosts.some((p) => covers(p, host)), `a pattern covers ${host}`);
    // Every pattern is an org's host for the core (so the worker can tell which org a frame is).
    const pkg = join(DIST, browser, 'pkg');
    const core = await import(pathToFileURL(join(pkg, 'eca_guard.js')).href);
    core.initSync({ module: readFileSync(join(pkg, 'eca_guard_bg.wasm')) });
    for (const p of hosts) {
      const host = `acme.${p.match(/^https:\/\/\*\.(.+)\/\*$/)[1]}`;
      assert.ok(core.orgFromHost(host), `the core does not know ${host} as an org's host`);
    }
    const csp = manifest.content_security_policy.extension_pages;
    assert.match(csp, /(^|;)\s*object-src 'none'\s*(;|$)/, csp);
    assert.match(csp, /(^|;)\s*script-src 'self' 'wasm-unsafe-eval'\s*(;|$)/, csp);
  });
}
