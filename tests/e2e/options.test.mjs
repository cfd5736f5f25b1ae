// The options page: choosing a pack and parameters writes the contract's settings object (and
// re-checks open Setup pages); a malformed custom pack is refused with its line, losing nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { byLabel, form, launch, waitMarks } from './harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const optionsUrl = () => `chrome-extension://${env.extId}/options/options.html`;

async function openOptions() {
  const page = await env.ctx.newPage();
  await page.goto(optionsUrl());
  await page.waitForSelector('html[data-ready]');
  return page;
}

const GOOD_PACK = `{
  "id": "acme-sync",
  "name": "Acme Sync",
  "sources": [{ "id": "doc", "title": "Acme Sync setup", "url": "https://acme.example/doc" }],
  "params": {
    "callbackUrls": { "description": "Acme's callback URLs" },
    "salesforceIdp": { "description": "Salesforce signs users in to Acme" }
  },
  "rules": {
    "oauthEnabled": { "expect": true, "source": "doc" },
    "scopes": { "require": ["api"], "source": "doc" },
    "requirePkce": { "expect": true, "source": "doc" }
  }
}`;

test('a malformed custom pack is refused with its line and reason; the text stays', async () => {
  await env.worker().evaluate(() => chrome.storage.local.clear());
  const page = await openOptions();
  // Line 4 lacks a comma.
  const broken = '{\n  "id": "acme-sync",\n  "name": "Acme Sync"\n  "sources": []\n}';
  await page.fill('#pack-json', broken);
  await page.click('#add-pack');
  const error = page.locator('#pack-error');
  await error.waitFor({ state: 'visible' });
  const text = await error.textContent();
  assert.match(text, /line 4/, text);
  assert.equal(await error.getAttribute('data-kind'), 'PackSyntax');
  assert.equal(await page.inputValue('#pack-json'), broken, 'the pasted text is kept for fixing');

  // Parses, but names a scope that does not exist: refused with the line of the bad value.
  const badScope = GOOD_PACK.replace('["api"]', '["apii"]');
  await page.fill('#pack-json', badScope);
  await page.click('#add-pack');
  await page.waitForFunction(() => document.querySelector('#pack-error').textContent.includes('apii'));
  const text2 = await error.textContent();
  assert.match(text2, /line 11/, text2);
  assert.equal(await error.getAttribute('data-kind'), 'PackInvalid');

  // Nothing was stored by the failures.
  const stored = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard'));
  assert.deepEqual(stored, {});

  // A custom pack may not take a built-in id.
  await page.fill('#pack-json', GOOD_PACK.replace('"acme-sync"', '"veeam-eca"'));
  await page.click('#add-pack');
  await page.waitForFunction(() => /veeam-eca/.test(document.querySelector('#pack-error').textContent));
  await page.close();
});

test('choosing a pack and saving writes ecaGuard and re-checks an open Setup page', async () => {
  await env.worker().evaluate(() => chrome.storage.local.set({ ecaGuard: { pack: 'veeam-eca', params: {} } }));
  const setup = await env.ctx.newPage();
  await setup.goto(env.formUrl());
  await form.check(setup, 'Enable OAuth', true);
  let m = await waitMarks(setup, (m) => byLabel(m, 'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows'), 'veeam marks');

  const page = await openOptions();
  await page.fill('#pack-json', GOOD_PACK);
  await page.click('#add-pack');
  assert.equal(await page.locator('#pack-error').isHidden(), true);
  assert.equal(await page.inputValue('#pack'), 'acme-sync', 'the added pack is selected');
  await page.fill('#callbackUrls', 'https://a.example\n\n  https://b.example  ');
  await page.check('#salesforceIdp');
  await page.click('#save');
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Saved'));

  const { ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard'));
  assert.equal(ecaGuard.pack, 'acme-sync');
  assert.deepEqual(ecaGuard.params, {
    callbackUrls: ['https://a.example', 'https://b.example'],
    salesforceIdp: true,
  });
  assert.equal(ecaGuard.customPacks.length, 1);
  assert.equal(ecaGuard.customPacks[0].id, 'acme-sync');

  // The open form was checked again against the custom pack: PKCE on is now right, and the
  // scopes miss "api".
  m = await waitMarks(
    setup,
    (m) => !byLabel(m, 'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows'),
    'custom pack marks'
  );
  assert.deepEqual(byLabel(m, 'OAuth Scopes').rules, ['scope-missing']);
  assert.equal(m.panel.errors, 1);

  // Reloading the options page shows what was saved.
  await page.reload();
  await page.waitForSelector('html[data-ready]');
  assert.equal(await page.inputValue('#pack'), 'acme-sync');
  assert.equal(await page.inputValue('#callbackUrls'), 'https://a.example\nhttps://b.example');
  assert.equal(await page.isChecked('#salesforceIdp'), true);
  await page.close();
  await setup.close();
});

test("the options refuse a callback URL the form would refuse, with its line, and lose nothing", async () => {
  await env.worker().evaluate(() => chrome.storage.local.set({ ecaGuard: { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.example'] } } }));
  const page = await openOptions();
  // Veeam sends its redirect without a final slash; plain http to a server is refused by Salesforce.
  const typed = 'https://veeam.acme.example/\nhttp://10.0.0.5';
  await page.fill('#callbackUrls', typed);
  const problems = page.locator('#callbackUrls-problems li');
  await problems.first().waitFor();
  assert.equal(await problems.count(), 2);
  assert.match(await problems.nth(0).textContent(), /Line 1 \(https:\/\/veeam\.acme\.example\/\) ends with a slash/);
  assert.match(await problems.nth(1).textContent(), /plain http/);
  assert.equal(await page.getAttribute('#callbackUrls', 'aria-invalid'), 'true');
  const describedBy = (await page.getAttribute('#callbackUrls', 'aria-describedby')).split(' ');
  assert.ok(describedBy.includes('callbackUrls-problems'));
  assert.match(await page.textContent('#status'), /Unsaved changes/);
  await page.click('#save');
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Not saved: 2 problems'));
  const { ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard'));
  assert.deepEqual(ecaGuard.params.callbackUrls, ['https://veeam.acme.example'], 'nothing stored');
  assert.equal(await page.inputValue('#callbackUrls'), typed, 'the text stays for fixing');
  // Corrected: saved, and the message says what.
  await page.fill('#callbackUrls', 'https://veeam.acme.example\nhttps://10.0.0.5');
  await page.waitForFunction(() => document.querySelector('#callbackUrls-problems').hidden);
  assert.equal(await page.getAttribute('#callbackUrls', 'aria-invalid'), null);
  await page.click('#save');
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Saved'));
  assert.match(await page.textContent('#status'), /Veeam Backup for Salesforce 3\.2 and later, 2 callback URLs/);
  await page.close();
});

test("a pack's own choice is a field built from the pack, saved and used by the checks", async () => {
  await env.worker().evaluate(() => chrome.storage.local.set({ ecaGuard: { pack: 'veeam-eca', params: { serverAddresses: ['203.0.113.10'] } } }));
  const page = await openOptions();
  assert.equal(await page.locator('#param-client').count(), 0, 'Veeam has no client choice');
  await page.selectOption('#pack', 'salesforce-mcp-eca');
  await page.waitForSelector('#param-client');
  assert.equal(await page.locator('#serverAddresses').count(), 0, 'the MCP pack takes no server addresses');
  const labels = await page.$$eval('#param-client option', (os) => os.map((o) => o.textContent));
  assert.ok(labels.includes('Claude') && labels.includes('Cursor'), labels.join(', '));
  assert.match(await page.textContent('#param-client-problems'), /MCP client is not chosen/);
  await page.selectOption('#param-client', 'cursor');
  await page.click('#save');
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Saved'));
  const { ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard'));
  assert.equal(ecaGuard.pack, 'salesforce-mcp-eca');
  assert.equal(ecaGuard.params.client, 'cursor');
  assert.deepEqual(ecaGuard.params.serverAddresses, ['203.0.113.10'], "a parameter the pack does not show keeps its value");
  // The worker hands the choice to the core: the form's callback check knows Cursor's URLs.
  const reply = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getSettings' }));
  assert.equal(reply.config.params.client, 'cursor');
  await page.close();
});

test('unsaved edits are never dropped silently: leaving warns, a custom pack removal saves only the list and can be undone', async () => {
  await env.worker().evaluate(() => chrome.storage.local.clear());
  const page = await openOptions();
  await page.fill('#pack-json', GOOD_PACK);
  await page.click('#add-pack');
  await page.waitForFunction(() => /Added the pack “Acme Sync”/.test(document.querySelector('#custom-status').textContent));
  let { ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard'));
  assert.equal(ecaGuard.customPacks[0].id, 'acme-sync', 'the pack list is saved at once');
  assert.equal(ecaGuard.pack, undefined, 'the integration is not saved behind the admin');
  await page.fill('#callbackUrls', 'https://acme.example/cb');
  // Leaving with unsaved edits asks first.
  const dialog = new Promise((resolve) => page.once('dialog', (d) => resolve(d)));
  page.close({ runBeforeUnload: true });
  const d = await dialog;
  assert.equal(d.type(), 'beforeunload');
  await d.dismiss();
  assert.equal(page.isClosed(), false);
  // Removing the pack keeps the unsaved callback text, says what happened, and can be undone.
  await page.click('#custom-list button');
  await page.waitForFunction(() => /Removed the pack “Acme Sync”/.test(document.querySelector('#custom-status').textContent));
  ({ ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard')));
  assert.deepEqual(ecaGuard.customPacks, []);
  await page.click('#custom-status button');
  await page.waitForFunction(() => /Restored/.test(document.querySelector('#custom-status').textContent));
  ({ ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard')));
  assert.equal(ecaGuard.customPacks[0].id, 'acme-sync');
  await page.close();
});

test("the paired server's integration fills the form without saving or reloading it", async () => {
  await env.worker().evaluate(() => chrome.storage.local.set({ ecaGuard: { pack: 'delphix-crt-eca', params: {} } }));
  const page = await openOptions();
  await page.evaluate(() => (window.__same = true));
  // pairing.js sends this event from its "Fill in" button (a paired server is tested in credentials.test.mjs).
  await page.evaluate(() =>
    document.dispatchEvent(new CustomEvent('eca-guard-use-server', { detail: { pack: 'veeam-eca', callbackUrls: ['https://veeam.acme.example'] } }))
  );
  assert.equal(await page.inputValue('#pack'), 'veeam-eca');
  assert.equal(await page.inputValue('#callbackUrls'), 'https://veeam.acme.example');
  assert.match(await page.textContent('#status'), /Filled in from the paired server/);
  assert.equal(await page.evaluate(() => window.__same), true, 'not reloaded');
  const { ecaGuard } = await env.worker().evaluate(() => chrome.storage.local.get('ecaGuard'));
  assert.equal(ecaGuard.pack, 'delphix-crt-eca', 'not saved until the admin saves');
  await page.close({ runBeforeUnload: false });
});

test('dark mode: the options page follows prefers-color-scheme', async () => {
  const page = await openOptions();
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await bg();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await bg();
  const lum = (c) => c.match(/\d+/g).slice(0, 3).reduce((a, b) => a + +b, 0);
  assert.ok(lum(light) > 600 && lum(dark) < 150, `${light} / ${dark}`);
  await page.close();
});
