// A hostile Salesforce page against ECA Guard, end to end (docs/server.md, "What is protected,
// in plain words"): a real eca-guard-server, the built extension in headless Chromium, fixture
// pages whose own scripts attack. Each test is one attempt, and what it must not get:
// - clickjacking: the Send button restyled invisible over the whole page, then one real click
//   anywhere → only ECA Guard's own confirm window opens; the server receives nothing until
//   Confirm is clicked there;
// - the browser's pairing key: nothing of it is readable from a content script's storage;
// - the panel: its shadow root is closed, so the page cannot rewrite what it says;
// - the worker's sender checks: a content script cannot pair or unpair, an extension page
//   cannot send a page check, and a Visualforce frame can neither record org readings nor send.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { inContentScript } from './harness.mjs';
import { ORG, guardUi, nextConfirm, startSendEnv, waitFor } from './send-harness.mjs';

const APP_ID = '0xI000000000001AAA';
const PAGE = `/lightning/setup/ManageExternalClientApplication/${APP_ID}/consumer`;

let env;

before(async () => {
  env = await startSendEnv();
  const { reply, options } = await env.pair();
  assert.equal(reply.ok, true, JSON.stringify(reply));
  await options.close();
});

after(async () => {
  await env?.close();
});

test('clickjacking: the Send button restyled invisible over the page; a real click anywhere sends nothing without the confirm window', async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}?clickjack=1`);
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  await page.waitForFunction(() => window.__clickjack && window.__clickjack.armed);
  const opened = nextConfirm(env.ctx);
  await page.mouse.click(700, 500); // the admin clicks somewhere on the page
  const confirm = await opened;
  await page.waitForTimeout(1500);
  assert.equal(env.cli('creds', 'list'), '', 'the click alone sent the credentials');
  assert.ok(confirm, 'the click did reach the button (it opened the confirm window)');
  // The window, which the page cannot reach, says what would be sent; never the secret.
  await confirm.waitForSelector('body[data-ready]');
  const text = await confirm.locator('body').innerText();
  for (const want of [ORG, APP_ID, 'Veeam Backup', consumer.KEY.slice(0, 8), 'Veeam prod']) assert.ok(text.includes(want), `${want} in: ${text}`);
  assert.ok(!text.includes(consumer.SECRET) && !text.includes(consumer.KEY), 'the confirm window shows only a key prefix');
  // Closed without confirming: nothing is sent, and the page says so.
  await confirm.close();
  await waitFor(async () => /not sent/i.test((await guardUi(page))?.text || ''), 'the "not sent" line');
  assert.equal(env.cli('creds', 'list'), '');
});

/** Every storage area as a string, read in the content-script world of `page` (or why it could not be). */
const CONTENT_STORAGE = `Promise.all(['local', 'sync', 'session'].map((a) =>
  Promise.resolve()
    .then(() => chrome.storage[a].get(null))
    .then((v) => a + ': ' + JSON.stringify(v), (e) => a + ': refused (' + e.message + ')')
)).then((all) => all.join('\\n'))`;

test("the browser's pairing key: in no storage a content script can read, and no Salesforce page hears of it", async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}`);
  await page.click('#verify');
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button (the content script knows the pairing)');
  const seen = await inContentScript(env, page, CONTENT_STORAGE);
  assert.ok(!/ecag[kp]1\./.test(seen), `key material readable from a content script:\n${seen}`);
  // Chromium: content scripts are kept out of chrome.storage.local altogether (setAccessLevel).
  assert.match(seen, /^local: refused/m);
  // Nor anywhere in extension storage, as the worker sees it (where a content script could reach
  // it on Firefox, and storage.onChanged would carry it to every tab).
  const all = await env.sw.evaluate(async () => JSON.stringify(await Promise.all(['local', 'sync', 'session'].map((a) => chrome.storage[a].get(null)))));
  assert.ok(!/ecag[kp]1\./.test(all), 'key material in chrome.storage');
});
