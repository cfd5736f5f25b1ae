// The enterprise policy examples (docs/enterprise-policy.md, docs/policies/chrome.json and
// firefox.json), applied through each browser's real policy mechanism: the JSON file in the
// directory the browser reads its machine policy from (/etc/chromium/policies/managed/, Firefox's
// distribution/policies.json), mounted for the test browser only (policy-harness.mjs). Then the
// options page must show the policy's pack and parameters, each field locked, and (Chromium) the
// New ECA form is checked with the policy's pack. Both examples also pass the extension's
// managed-storage schema (extension/managed_schema.json) under ajv, with unknown keys refused, so a
// misspelt key in the docs fails here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { chromium } from 'playwright-core';

import { startServer } from '../fixtures/serve.mjs';
import { CHROMIUM, EXT, chromiumArgs, byLabel, waitMarks } from './harness.mjs';
import { firefoxDistribution, firefoxOpener, policyBrowser, policyMountProblem, unpackedExtensionId } from './policy-harness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (p) => JSON.parse(readFileSync(join(ROOT, p), 'utf8'));
const CHROME = readJson('docs/policies/chrome.json');
const FIREFOX_POLICY = readJson('docs/policies/firefox.json');
const SCHEMA = readJson('extension/managed_schema.json');
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const FIREFOX_EXT = resolve(ROOT, 'dist/firefox');
const GECKO_ID = readJson('extension/manifest.json').browser_specific_settings.gecko.id;

/** The one extension entry of each example, and its `ecaGuard` object. */
const chromeEntries = Object.entries(CHROME['3rdparty'].extensions);
const firefoxEntries = Object.entries(FIREFOX_POLICY.policies['3rdparty'].Extensions);
const POLICY = chromeEntries[0][1].ecaGuard;

/** The schema with every object closed (`additionalProperties: false`): unknown keys fail. */
function closed(s) {
  if (!s || typeof s !== 'object') return s;
  const out = { ...s };
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, closed(v)]));
    out.additionalProperties = false;
  }
  if (out.items) out.items = closed(out.items);
  return out;
}

test('both examples: one entry for ECA Guard, the same settings, valid against managed_schema.json', () => {
  assert.equal(chromeEntries.length, 1);
  assert.equal(chromeEntries[0][0], 'EXTENSION_ID', 'the Chrome example names its placeholder id');
  assert.deepEqual(firefoxEntries.map(([id]) => id), [GECKO_ID], "the Firefox example uses the manifest's gecko id");
  assert.deepEqual(firefoxEntries[0][1], chromeEntries[0][1], 'both examples set the same');
  const ajv = new Ajv({ allErrors: true, strict: false }); // strict: Chrome's schema has "title"/"description" only
  for (const schema of [SCHEMA, closed(SCHEMA)]) {
    const validate = ajv.compile(schema);
    for (const [name, value] of [['chrome', chromeEntries[0][1]], ['firefox', firefoxEntries[0][1]]]) {
      assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  // The closed schema does refuse what a typo or a wrong type would give.
  const strict = ajv.compile(closed(SCHEMA));
  assert.equal(strict({ ecaGuard: { ...POLICY, packs: 'x' } }), false, 'an unknown key is refused');
  assert.equal(strict({ ecaGuard: { ...POLICY, params: { callbackUrls: 'https://x' } } }), false, 'a string for a list is refused');
  assert.ok(POLICY.pack && Object.keys(POLICY.params).length === 3, 'the example sets the pack and every parameter');
});

const mountProblem = policyMountProblem();

/** The options page's state: each field's value and whether it is locked, and the policy note. */
const readOptions = () => ({
  pack: document.getElementById('pack').value,
  packLocked: document.getElementById('pack').disabled,
  callbackUrls: document.getElementById('callbackUrls').value.split('\n').filter(Boolean),
  callbackLocked: document.getElementById('callbackUrls').disabled,
  salesforceIdp: document.getElementById('salesforceIdp').checked,
  idpLocked: document.getElementById('salesforceIdp').disabled,
  serverAddresses: document.getElementById('serverAddresses').value.split('\n').filter(Boolean),
  serverLocked: document.getElementById('serverAddresses').disabled,
  note: document.getElementById('policy').hidden ? '' : document.getElementById('policy').textContent,
});

function assertLocked(o) {
  assert.equal(o.pack, POLICY.pack);
  assert.deepEqual(o.callbackUrls, POLICY.params.callbackUrls);
  assert.equal(o.salesforceIdp, POLICY.params.salesforceIdp);
  assert.deepEqual(o.serverAddresses, POLICY.params.serverAddresses);
  assert.deepEqual([o.packLocked, o.callbackLocked, o.idpLocked, o.serverLocked], [true, true, true, true], 'every field the policy sets is locked');
  assert.match(o.note, /policy sets the rule pack, callbackUrls, salesforceIdp, serverAddresses/);
}

async function waitFor(fn, what, timeout = 20000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn().catch((e) => e.message);
    if (last && typeof last === 'object') return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

let server;
before(async () => {
  server = await startServer({ port: 0 });
});
after(async () => {
  await server?.close();
});

test('Chromium: docs/policies/chrome.json in /etc/chromium/policies/managed/ locks the options and sets the checks', async (t) => {
  if (mountProblem) return t.skip(mountProblem);
  if (!existsSync(join(EXT, 'manifest.json'))) return t.skip(`no built extension at ${EXT}: run ./build.sh build`);
  const id = unpackedExtensionId(EXT);
  const policy = JSON.parse(JSON.stringify(CHROME).replace('"EXTENSION_ID"', JSON.stringify(id)));
  const browser = policyBrowser({ browser: CHROMIUM, target: '/etc/chromium', files: { 'policies/managed/eca-guard.json': policy } });
  const profile = mkdtempSync(join(tmpdir(), 'eca-guard-policy-profile-'));
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: browser.executable,
      headless: true,
      args: chromiumArgs(server.port, ['*.my.salesforce-setup.com']),
    });
    const sw = ctx.serviceWorkers()[0] || (await ctx.waitForEvent('serviceworker', { timeout: 15000 }));
    assert.equal(new URL(sw.url()).host, id, 'the policy names the id Chromium gave the unpacked extension');
    const options = await ctx.newPage();
    await options.goto(`chrome-extension://${id}/options/options.html`);
    // The worker reads storage.managed in the background (it can take seconds on Chromium) and
    // caches it (extension/worker/settings.js); the options page reads the merged settings once.
    await waitFor(
      () => sw.evaluate(() => chrome.storage.managed.get('ecaGuard')).then((m) => (m.ecaGuard ? m : null)),
      'the policy in chrome.storage.managed'
    ).then((m) => assert.deepEqual(m.ecaGuard, POLICY));
    const o = await waitFor(async () => {
      await options.reload();
      await options.waitForSelector('html[data-ready]');
      const o = await options.evaluate(readOptions);
      return o.packLocked ? o : null;
    }, 'the options page locked by the policy');
    assertLocked(o);
    // The checks use the policy's pack: the New ECA form, OAuth off, is an error for Veeam.
    const form = await ctx.newPage();
    await form.goto(`https://acme.my.salesforce-setup.com:${server.port}/lightning/setup/ManageExternalClientApplication/new`);
    const m = await waitMarks(form, (m) => byLabel(m, 'Enable OAuth'), 'the Veeam pack from the policy');
    assert.deepEqual(byLabel(m, 'Enable OAuth').rules, ['oauth-disabled']);
  } finally {
    await ctx?.close();
    rmSync(profile, { recursive: true, force: true });
    browser.close();
  }
});

test("Firefox: docs/policies/firefox.json as distribution/policies.json locks the options", async (t) => {
  if (mountProblem) return t.skip(mountProblem);
  if (!existsSync(FIREFOX)) return t.skip(`no Firefox at ${FIREFOX} (./build.sh installs firefox-esr)`);
  if (!existsSync(join(FIREFOX_EXT, 'manifest.json'))) return t.skip(`no built extension at ${FIREFOX_EXT}: run ./build.sh build`);
  const dist = firefoxDistribution(FIREFOX);
  if (!dist) return t.skip(`no distribution/ directory beside ${FIREFOX}`);
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = policyBrowser({ browser: FIREFOX, target: dist, files: { 'policies.json': FIREFOX_POLICY } });
  const uuid = '6c0ffee0-5eed-4cab-9d1e-ecaa9ad00001'; // fixed, so the opener knows the options URL
  const opener = firefoxOpener(join(browser.dir, '..', 'opener'), `moz-extension://${uuid}/options/options.html`);
  let ff;
  try {
    ff = await puppeteer.launch({
      browser: 'firefox',
      executablePath: browser.executable,
      headless: true,
      extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }) },
    });
    assert.equal(await ff.installExtension(FIREFOX_EXT), GECKO_ID);
    await ff.installExtension(opener);
    const options = await waitFor(async () => {
      for (const p of await ff.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (href.startsWith(`moz-extension://${uuid}/options/`)) return p;
      }
      return null;
    }, 'the options page');
    const managed = await options.evaluate(() => browser.storage.managed.get('ecaGuard'));
    assert.deepEqual(managed.ecaGuard, POLICY, 'storage.managed is the policy');
    const o = await waitFor(async () => {
      const o = await options.evaluate(() => (document.documentElement.hasAttribute('data-ready') ? 1 : 0)).then((ready) => ready && options.evaluate(readOptions));
      if (o && o.packLocked) return o;
      await options.evaluate(() => location.reload()); // the policy cache was written after the page read it
      return null;
    }, 'the options page locked by the policy');
    assertLocked(o);
  } finally {
    await ff?.close();
    browser.close();
  }
});
