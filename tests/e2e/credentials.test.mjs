// Issue 5 end to end: a real eca-guard-server on 127.0.0.1, the built extension in headless
// Chromium, a fixture "Consumer Key and Secret" page with a hostile page script.
// Pair with a code from `eca-guard-server pair`, reveal the key and secret, click "Send to
// <server>", and `eca-guard-server get` prints the same credentials. The hostile script cannot
// read our UI, cannot send without a real click, and cannot forge messages; the secret is in
// no extension storage and no extension log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { EXT } from './harness.mjs';
import { ORG, clickRecheck, clickSend, guardUi, nextConfirm, startSendEnv, waitFor } from './send-harness.mjs';

const APP_ID = '0xI000000000001AAA';
const PAGE = `/lightning/setup/ManageExternalClientApplication/${APP_ID}/consumer`;

let env;
const cli = (...args) => env.cli(...args);

/** Stops the extension's service worker (CDP), as Chromium does when it is idle; the next message starts it again. */
async function stopWorker() {
  const cdp = await env.ctx.browser().newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.includes(env.extId));
  await cdp.send('Target.closeTarget', { targetId: sw.targetId });
  await cdp.detach();
}
const tryGet = (app) => env.tryGet(app);

before(async () => {
  env = await startSendEnv();
});

after(async () => {
  await env?.close();
});

test('pair with a code, then send the revealed key and secret; the server get prints them', async () => {
  // Pairing, from the options page (code from the server's own `pair`).
  const code = cli('pair', '--url', `http://${env.addr}`).trim();
  const options = await env.ctx.newPage();
  await options.goto(`chrome-extension://${env.extId}/options/options.html`);
  await options.waitForSelector('#pairing-code');
  await options.fill('#pairing-code', code);
  // The Pair button asks for a host permission (a browser prompt headless cannot answer); the
  // test sends the same message the button sends, from the options page.
  const paired = await options.evaluate((c) => chrome.runtime.sendMessage({ type: 'pair', code: c }), code);
  assert.equal(paired.ok, true, JSON.stringify(paired));
  assert.equal(paired.name, 'Veeam prod');
  assert.equal(paired.pack, 'veeam-eca');
  assert.deepEqual(paired.callbackUrls, ['https://veeam.acme.internal']);
  await options.reload();
  await options.waitForFunction(() => document.getElementById('pairing-status')?.textContent.includes('Veeam prod'));
  // The same code cannot be used twice.
  const again = await options.evaluate((c) => chrome.runtime.sendMessage({ type: 'pair', code: c }), code);
  assert.equal(again.ok, false);
  assert.match(again.error.message, /already used/);
  assert.match(cli('browsers', 'list'), /active/);

  // The page: our button appears once the key and secret are shown.
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}?hostile=1`);
  await page.waitForTimeout(500);
  assert.equal(await page.locator('eca-guard-send').count(), 0, 'no button before the secret is shown');
  await page.click('#verify');
  await page.waitForSelector('eca-guard-send', { state: 'attached' });
  const ui = await waitFor(async () => {
    const u = await guardUi(page);
    return u && u.text.includes('Send to Veeam prod') ? u : null;
  }, 'the Send to Veeam prod button');
  assert.equal(ui.mode, 'closed');

  // The hostile script had its go: it saw a closed root, its clicks and forged messages sent nothing.
  await page.waitForTimeout(1000);
  const hostile = await page.evaluate(() => window.__hostile);
  assert.ok(hostile.attempts > 5, `the hostile script ran (${hostile.attempts})`);
  assert.ok(hostile.shadowRoots.every((m) => m === 'closed'));
  assert.ok(hostile.texts.every((t) => !t.includes(consumer.SECRET) && !t.includes('Send to')), 'read nothing of our UI');
  assert.equal(hostile.runtime, false, 'the page has no channel to the extension');
  assert.equal(tryGet(APP_ID), null, 'nothing was sent without a real click');
  assert.equal(tryGet('Evil'), null);
  assert.match(cli('creds', 'list'), /^$/);

  // The admin's click sends; the server's get prints the same credentials.
  await clickSend(page);
  const got = await waitFor(() => tryGet(APP_ID), 'the credential at the server');
  assert.equal(got.consumerKey, consumer.KEY);
  assert.equal(got.consumerSecret, consumer.SECRET);
  assert.equal(got.version, 1);
  const env1 = cli('get', '--org', ORG, '--app', APP_ID, '--format', 'env');
  assert.ok(env1.includes(`ECA_GUARD_CONSUMER_SECRET='${consumer.SECRET}'`));
  const done = await waitFor(async () => {
    const u = await guardUi(page);
    return u && u.text.includes('Sent to') ? u : null;
  }, 'the success line');
  // Filed under the app's record id from the address; the page's label is only shown.
  assert.match(done.text, /Sent to Veeam prod: acme\.my\.salesforce\.com \/ 0xI000000000001AAA \("Veeam Backup"\), key 3MVG9fix…, stored\./);
  assert.ok(!done.text.includes(consumer.SECRET));

  // Is the app live? Right after creation Salesforce does not know the key: explained, with a countdown.
  const waiting = await waitFor(async () => {
    const u = await guardUi(page);
    return u && /up to 10 minutes/.test(u.text) && /left; next check in/.test(u.text) ? u : null;
  }, 'the not-active-yet line');
  assert.match(waiting.text, /Up to \d:\d\d left/);
  const call = env.authorizeCalls.at(-1);
  assert.equal(call.clientId, consumer.KEY);
  assert.equal(call.redirectUri, 'https://veeam.acme.internal');
  assert.ok(!JSON.stringify(env.authorizeCalls).includes(consumer.SECRET), 'the probe never carries the secret');
  // Veeam guidance (the server's pack is veeam-eca).
  assert.match(waiting.text, /Next, in Veeam Backup for Salesforce/);
  assert.match(waiting.text, /Re-authorize connection/);
  assert.match(waiting.text, /up to 10 minutes/);
  // Callback lines that differ, then the app going live.
  env.authorizeMode = 'mismatch';
  await clickRecheck(page);
  await waitFor(async () => /do not include https:\/\/veeam\.acme\.internal/.test((await guardUi(page))?.text || ''), 'the mismatch line');
  env.authorizeMode = 'missing';
  await clickRecheck(page);
  await waitFor(async () => /OAUTH_EC_APP_NOT_FOUND/.test((await guardUi(page))?.text || ''), 'the not-installed line');
  env.authorizeMode = 'live';
  await clickRecheck(page);
  await waitFor(async () => /the app is live/.test((await guardUi(page))?.text || ''), 'the live line');

  // Rotation: a new secret becomes version 2; the first stays in the history.
  await page.click('#rotate');
  await page.waitForTimeout(400);
  await clickSend(page);
  const v2 = await waitFor(() => {
    const g = tryGet(APP_ID);
    return g && g.version === 2 ? g : null;
  }, 'version 2');
  assert.equal(v2.consumerSecret, consumer.ROTATED_SECRET);
  assert.equal(JSON.parse(cli('get', '--org', ORG, '--app', APP_ID, '--version', '1')).consumerSecret, consumer.SECRET);
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('stored as version 2'), 'the version 2 line');

  // No secret in extension storage, the worker's log, the server's log, or the page's hostile loot.
  const storage = await env.sw.evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
  for (const s of [consumer.SECRET, consumer.ROTATED_SECRET]) {
    assert.ok(!storage.includes(s), 'a secret in chrome.storage.local');
    assert.ok(!env.workerLog.join('\n').includes(s), 'a secret in the worker log');
    assert.ok(!env.server.log().includes(s), 'a secret in the server log');
  }
  // Nor the pairing's own key: it is kept out of chrome.storage (hostile.test.mjs tries to read it).
  assert.ok(!/ecag[kp]1\./.test(storage), 'the pairing key in chrome.storage.local');
  const loot = await page.evaluate(() => JSON.stringify(window.__hostile.texts));
  assert.ok(!loot.includes('Sent to'), 'the page could not read the receipt');

  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });

  // Our content script never touches the clipboard.
  const src = readFileSync(join(EXT, 'content/credentials.js'), 'utf8');
  assert.ok(!/clipboard|execCommand/.test(src.replace(/^\s*\/\/.*$/gm, '')));
});

test('the Veeam steps print a command that runs no page text (an app label with $(…) in it)', async () => {
  const id = '0xI000000000002AAA';
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}/lightning/setup/ManageExternalClientApplication/${id}/consumer?label=evil`);
  await page.click('#verify');
  await page.waitForSelector('eca-guard-send', { state: 'attached' });
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  await clickSend(page);
  const ui = await waitFor(async () => {
    const u = await guardUi(page);
    return u && u.texts.some((t) => t.includes('eca-guard-server get')) ? u : null;
  }, 'the Veeam steps');
  const line = ui.texts.find((t) => t.includes('eca-guard-server get'));
  const command = line.match(/eca-guard-server get .*?(?= \(or use the sink file\)|$)/)[0];
  // Paste it into a shell, as the admin would, with a stand-in eca-guard-server that prints its
  // arguments one per line.
  const dir = mkdtempSync(join(tmpdir(), 'eca-guard-paste-'));
  try {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'eca-guard-server'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    let out = '';
    try {
      out = execFileSync('bash', ['-c', command], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
    } catch (_) {
      // a command that does not even parse runs nothing; the assertions below still apply
    }
    assert.equal(existsSync(join(dir, 'pwned')), false, `the printed command ran page text: ${command}`);
    assert.deepEqual(out.split('\n').filter(Boolean), ['get', '--org', ORG, '--app', id], command);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Stored under the app's record id (from the page's address), never under its label; the label
  // is shown on the page as text.
  const got = await waitFor(() => tryGet(id), 'the credential under the record id');
  assert.equal(got.consumerKey, consumer.KEY);
  assert.ok(ui.text.includes(consumer.EVIL_LABEL), ui.text);
});

test('the legacy Connected App consumer details page (classic) sends too, keyed by its id or API Name', async () => {
  const port = env.port;
  const legacy = `https://acme.my.salesforce.com:${port}/app/mgmt/forceconnectedapps/forceAppDetail.apexp`;
  const sendFrom = async (url, how) => {
    const page = await env.ctx.newPage();
    await page.goto(url);
    await page.waitForSelector('eca-guard-send', { state: 'attached' });
    await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
    page.confirmWindow = await clickSend(page, how);
    return page;
  };
  // The record id from the address (`applicationId=`), as Setup links the page.
  const first = await sendFrom(`${legacy}?applicationId=06P000000000001AAA&id=0Ci000000000001AAA`);
  // The classic title is a page type ("Connected App:") and then the app's name: the name is shown.
  assert.match(first.confirmWindow.shownText, /Veeam Legacy/);
  assert.doesNotMatch(first.confirmWindow.shownText, /Connected App:/);
  const byId = await waitFor(() => tryGet('06P000000000001AAA'), 'the legacy credential under its id');
  assert.equal(byId.consumerKey, consumer.LEGACY_KEY);
  assert.equal(byId.consumerSecret, consumer.LEGACY_SECRET);
  // No id in the address: the API Name the page shows.
  await sendFrom(legacy);
  const byName = await waitFor(() => tryGet(consumer.LEGACY_API_NAME), 'the legacy credential under its API Name');
  assert.equal(byName.consumerKey, consumer.LEGACY_KEY);
  // An "API Name" that is no API name: refused on the page, nothing sent.
  const before = cli('creds', 'list');
  const evil = await sendFrom(`${legacy}?api=evil`, { confirm: false });
  const ui = await waitFor(async () => {
    const u = await guardUi(evil);
    return u && /which app/.test(u.text) ? u : null;
  }, 'the refusal');
  assert.match(ui.text, /Nothing was sent/);
  assert.equal(cli('creds', 'list'), before);
});

test('the confirm window: Send is armed after a moment, a second send waits for the first, Cancel sends nothing', async () => {
  const before = cli('creds', 'list', '--history');
  const open = async () => {
    const page = await env.ctx.newPage();
    await page.goto(`${env.origin}${PAGE}`);
    await page.click('#verify');
    await page.waitForSelector('eca-guard-send', { state: 'attached' });
    await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
    return page;
  };
  const first = await open();
  const opened = nextConfirm(env.ctx);
  await clickSend(first, { confirm: false });
  const win = await opened;
  assert.ok(win, 'a confirm window');
  await win.waitForSelector('body[data-ready]');
  assert.equal(await win.isDisabled('#confirm'), true, 'Send is not armed at once');
  await win.waitForSelector('#confirm:not([disabled])');
  // Another tab's send, meanwhile, does not replace what the window shows.
  const second = await open();
  const none = nextConfirm(env.ctx, 1500);
  await clickSend(second, { confirm: false });
  assert.equal(await none, null, 'no second window');
  await waitFor(async () => /another send is waiting/.test((await guardUi(second))?.text || ''), 'the busy line');
  // Cancel: the window closes, the page says so, the server has nothing new.
  const closed = win.waitForEvent('close');
  await win.click('#cancel');
  await closed;
  await waitFor(async () => /Not sent: you cancelled it/.test((await guardUi(first))?.text || ''), 'the cancelled line');
  assert.equal(cli('creds', 'list', '--history'), before);
});

test('the secret waits in the worker\'s memory only: a worker that stops before the answer drops the send', async () => {
  const before = cli('creds', 'list', '--history');
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}`);
  await page.click('#verify');
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  const opened = nextConfirm(env.ctx);
  await clickSend(page, { confirm: false });
  const win = await opened;
  await win.waitForSelector('#confirm:not([disabled])');
  await stopWorker();
  await waitFor(async () => /Not sent: ECA Guard stopped/.test((await guardUi(page))?.text || ''), 'the stopped line');
  // The window's Send now reaches a worker that holds nothing.
  if (!win.isClosed()) {
    await win.click('#confirm');
    await win.waitForFunction(() => /no longer waiting/.test(document.getElementById('message').textContent));
    await win.close();
  }
  assert.equal(cli('creds', 'list', '--history'), before);
});

test('no button on a Visualforce domain (code there could fake a key and secret)', async () => {
  const page = await env.ctx.newPage();
  const port = env.port;
  await page.goto(`https://acme--c.vf.force.com:${port}${PAGE}`);
  await page.click('#verify');
  await page.waitForTimeout(800);
  assert.equal(await page.locator('eca-guard-send').count(), 0);
});

test('a revoked browser gets a clear error on the page', async () => {
  const options = await env.ctx.newPage();
  await options.goto(`chrome-extension://${env.extId}/options/options.html`);
  const pairing = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'pairingStatus' }));
  await options.close();
  // `--` before the id: a random id may start with '-' (then it reads as an option).
  execFileSync(env.bin, ['browsers', 'revoke', '--data', env.data, '--', pairing.browserId], { stdio: ['ignore', 'pipe', 'pipe'] });
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}`);
  await page.click('#verify');
  await page.waitForSelector('eca-guard-send', { state: 'attached' });
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  await clickSend(page);
  const ui = await waitFor(async () => {
    const u = await guardUi(page);
    return u && /refused/.test(u.text) ? u : null;
  }, 'the refusal');
  assert.match(ui.text, /revoked/);
});

test('a pairing an earlier version kept in chrome.storage.local moves out of it at the next start, and still sends', async () => {
  // Pair as the earlier version did: the core's own functions (under node), the record it kept.
  const pkg = join(EXT, 'pkg');
  const core = await import(pathToFileURL(join(pkg, 'eca_guard_pairing.js')).href);
  core.initSync({ module: readFileSync(join(pkg, 'eca_guard_pairing_bg.wasm')) });
  const code = cli('pair', '--url', `http://${env.addr}`).trim();
  const start = core.pairingBegin(code);
  const info = await (await fetch(start.infoUrl)).json();
  const req = core.pairingRequest(code, info.publicKey, 'an earlier ECA Guard');
  const reply = await (await fetch(req.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: req.body })).text();
  const p = core.pairingComplete(req.pending, reply);
  const legacy = { keys: p.keys, server: p.server, fingerprint: p.fingerprint, browserId: p.browserId, name: p.reply.name, callbackUrls: p.reply.callbackUrls, pack: p.reply.pack, pairedAt: new Date().toISOString() };
  assert.match(legacy.keys, /^ecagk1\./);
  await env.sw.evaluate((r) => chrome.storage.local.set({ ecaGuardPairing: r }), legacy);
  // The worker starts again (as after the update that brought this version).
  await stopWorker();
  const options = await env.ctx.newPage();
  await options.goto(`chrome-extension://${env.extId}/options/options.html`);
  const status = await waitFor(() => options.evaluate(() => chrome.runtime.sendMessage({ type: 'pairingStatus' })).catch(() => null), 'the pairing status');
  assert.equal(status.paired, true, JSON.stringify(status));
  assert.equal(status.browserId, legacy.browserId);
  const local = await options.evaluate(() => chrome.storage.local.get(null).then(JSON.stringify));
  assert.ok(!local.includes('ecagk1.') && !local.includes('ecaGuardPairing'), `still in storage.local: ${local}`);
  // The moved key still seals for the server.
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}/lightning/setup/ManageExternalClientApplication/0xI000000000003AAA/consumer`);
  await page.click('#verify');
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  await clickSend(page);
  const got = await waitFor(() => tryGet('0xI000000000003AAA'), 'the credential sent with the moved key');
  assert.equal(got.consumerKey, consumer.KEY);
});
