// A hostile Salesforce page against ECA Guard, end to end (docs/server.md, "What is protected,
// in plain words"): a real eca-guard-server, the built extension in headless Chromium, fixture
// pages whose own scripts attack. Each test is one attempt, and what it must not get:
// - clickjacking: the Send button restyled invisible over the whole page, then one real click
//   anywhere → only ECA Guard's own confirm window opens; the server receives nothing until
//   Confirm is clicked there;
// - the browser's pairing key: nothing of it is readable from a content script's storage;
// - the panel: its shadow root is closed, so the page cannot rewrite what it says;
// - the worker's sender checks: a content script cannot pair or unpair, an extension page
//   cannot send a page check, and a Visualforce frame can neither record org readings nor send;
// - and a server at a pairing code's address that is not what it claims: its unauthenticated
//   error text is never shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { inContentScript, panelView } from './harness.mjs';
import { popupRows } from './org-harness.mjs';
import { HOST, ORG, guardUi, nextConfirm, startSendEnv, waitFor } from './send-harness.mjs';

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

/** `chrome.runtime.sendMessage(msg)` from the content-script world of `page`. */
const fromContent = (page, msg) => inContentScript(env, page, `chrome.runtime.sendMessage(${JSON.stringify(msg)})`);

test("the worker's sender checks: a content script cannot pair or unpair, an extension page cannot send a page check", async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}`);
  for (const msg of [{ type: 'pair', code: env.pairingCode() }, { type: 'unpair' }, { type: 'confirmDecision', id: 'x', confirm: true }]) {
    const r = await fromContent(page, msg);
    assert.equal(r.ok, false, `${msg.type} from a content script: ${JSON.stringify(r)}`);
    assert.equal(r.error.kind, 'BadMessage');
  }
  const options = await env.ctx.newPage();
  await options.goto(`chrome-extension://${env.extId}/options/options.html`);
  for (const msg of [{ type: 'check', snapshot: { page: 'new-eca' } }, { type: 'sendCredentials', consumerKey: consumer.KEY, consumerSecret: consumer.SECRET }]) {
    const r = await options.evaluate((m) => chrome.runtime.sendMessage(m), msg);
    assert.equal(r.ok, false, `${msg.type} from an extension page: ${JSON.stringify(r)}`);
    assert.equal(r.error.kind, 'BadMessage');
  }
  // Still paired: the refused unpair did nothing.
  assert.equal((await options.evaluate(() => chrome.runtime.sendMessage({ type: 'pairingStatus' }))).paired, true);
  await options.close();
});

test('a Visualforce frame (code the org wrote) can neither record org readings nor send nor probe', async () => {
  await env.sw.evaluate(() => chrome.storage.local.set({ ecaGuard: { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } } }));
  const vf = await env.ctx.newPage();
  await vf.goto(`https://acme--c.vf.force.com:${env.port}/apex/Widget`);
  // A fake Session Settings reading, as a Visualforce page dressed up as Session Settings would give.
  const fake = { page: 'session-settings', lockSessionsToIp: true, lockSessionsToDomain: true, enforceIpRangesEveryRequest: true, unreadable: [] };
  const checked = await fromContent(vf, { type: 'check', snapshot: fake });
  assert.equal(checked.ok, true, JSON.stringify(checked)); // the page's own marks may still be painted
  await vf.waitForTimeout(1500); // org memory is written after the page is quiet (worker/org.js)
  const rows = await popupRows(env, HOST);
  for (const rule of ['session-lock-ip', 'session-lock-domain', 'session-enforce-ip-ranges']) {
    assert.equal(rows[rule].status, 'unknown', `${rule} took a Visualforce reading: ${rows[rule].text}`);
  }
  const sent = await fromContent(vf, { type: 'sendCredentials', apiName: 'Veeam_Backup', consumerKey: consumer.KEY, consumerSecret: consumer.SECRET });
  assert.equal(sent.ok, false);
  assert.match(sent.error.message, /only from Salesforce Setup pages/);
  const probed = await fromContent(vf, { type: 'probeApp', consumerKey: consumer.KEY });
  assert.equal(probed.ok, false, JSON.stringify(probed));
  assert.equal(env.cli('creds', 'list').includes('Veeam_Backup'), false);
});

test("the page cannot rewrite ECA Guard's panel (its shadow root is closed)", async () => {
  await env.sw.evaluate(() => chrome.storage.local.set({ ecaGuard: { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } } }));
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}/lightning/setup/ManageExternalClientApplication/new`);
  await page.waitForFunction(() => document.querySelector('eca-guard-panel')?.dataset.errors === '1'); // OAuth is off
  // What a page script can do: the same world as page.evaluate.
  const tried = await page.evaluate(() => {
    const p = document.querySelector('eca-guard-panel');
    const r = { root: p.shadowRoot === null ? 'closed' : 'open' };
    try {
      p.shadowRoot.innerHTML = '<b>ECA Guard</b> <span>ready</span>';
      r.rewrote = true;
    } catch (_) {
      r.rewrote = false;
    }
    try {
      p.attachShadow({ mode: 'open' }).innerHTML = '<b>ready</b>';
      r.attached = true;
    } catch (_) {
      r.attached = false;
    }
    p.innerHTML = '<b>ready</b>'; // light DOM: not rendered, the shadow root has no slot
    return r;
  });
  assert.deepEqual(tried, { root: 'closed', rewrote: false, attached: false });
  const view = await waitFor(() => panelView(page), 'the panel as ECA Guard painted it');
  assert.match(view.text, /1 error/);
  assert.doesNotMatch(view.text, /ready/);
});

test("an unauthenticated server answer is never shown as it came: known codes get ECA Guard's sentences, others a generic one", async () => {
  // A stand-in at the pairing code's address that answers every request with the next refusal.
  const EVIL = '<img src=x onerror=alert(1)> Call +1-555-0100 to re-verify your org';
  const answers = [
    [403, JSON.stringify({ error: { code: 'pairing_code_used', message: EVIL } })],
    [403, JSON.stringify({ error: { code: 'evil_new_code', message: EVIL } })],
    [500, `${EVIL} `.repeat(20000)],
  ];
  const fake = createServer((req, res) => {
    const [status, body] = answers.shift() || [404, ''];
    res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(body);
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  const code = `ecag1.${Buffer.concat([Buffer.alloc(48, 7), Buffer.from(`http://127.0.0.1:${fake.address().port}`)]).toString('base64url')}`;
  const options = await env.ctx.newPage();
  try {
    await options.goto(`chrome-extension://${env.extId}/options/options.html`);
    const pair = () => options.evaluate((c) => chrome.runtime.sendMessage({ type: 'pair', code: c }), code);
    const used = await pair();
    assert.equal(used.ok, false);
    assert.match(used.error.message, /already used/);
    const unknown = await pair();
    const huge = await pair();
    for (const r of [used, unknown, huge]) {
      assert.equal(r.ok, false);
      assert.ok(!/555|img|onerror|evil_new_code/.test(r.error.message), `the server's text shown: ${r.error.message}`);
      assert.ok(r.error.message.length < 300, `${r.error.message.length} characters`);
    }
    assert.match(unknown.error.message, /refused/);
    assert.match(huge.error.message, /HTTP 500/);
  } finally {
    await options.close();
    await new Promise((r) => fake.close(r));
  }
});
