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
  assert.match(text2, /line 7/, text2);
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
    serverAddresses: [],
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
