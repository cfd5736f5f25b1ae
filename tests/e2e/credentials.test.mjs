// Issue 5 end to end: a real eca-guard-server on 127.0.0.1, the built extension in headless
// Chromium, a fixture "Consumer Key and Secret" page with a hostile page script.
// Pair with a code from `eca-guard-server pair`, reveal the key and secret, click "Send to
// <server>", and `eca-guard-server get` prints the same credentials. The hostile script cannot
// read our UI, cannot send without a real click, and cannot forge messages; the secret is in
// no extension storage and no extension log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CSP, certificate } from '../fixtures/serve.mjs';
import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { CHROMIUM, EXT, chromiumArgs } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const STATIC = resolve(HERE, '../fixtures/static');
const HOST = 'acme.my.salesforce-setup.com';
const ORG = 'acme.my.salesforce.com';
const PAGE = '/lightning/setup/ManageExternalClientApplication/0xI000000000001AAA/consumer';
// Records are keyed by the ECA's record id from the address (src/pairing/names.rs).
const APP = '0xI000000000001AAA';

function serverBinary() {
  for (const p of ['target/debug/eca-guard-server', 'target/release/eca-guard-server']) {
    if (existsSync(join(ROOT, p))) return join(ROOT, p);
  }
  execFileSync('cargo', ['build', '-q', '-p', 'eca-guard-server'], { cwd: ROOT, stdio: 'inherit' });
  return join(ROOT, 'target/debug/eca-guard-server');
}

const env = {};

function startGuardServer(bin, data, config) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', data, '--config', config], {
      env: { ...process.env, RUST_LOG: 'debug' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/listen=(127\.0\.0\.1:\d+)/);
      if (m && !env.addr) {
        env.addr = m[1];
        resolveStart(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`eca-guard-server exited ${code}: ${log}`)));
    child.log = () => log;
  });
}

function fixtureServer() {
  const server = createServer(certificate(), (req, res) => {
    const url = new URL(req.url, `https://${req.headers.host}`);
    const headers = { 'content-security-policy': CSP, 'cache-control': 'no-store' };
    // A stand-in for the org's OAuth authorize endpoint, answering with Salesforce's error strings.
    if (url.pathname === '/services/oauth2/authorize') {
      env.authorizeCalls.push({ host: req.headers.host, clientId: url.searchParams.get('client_id'), redirectUri: url.searchParams.get('redirect_uri') });
      const err = {
        inactive: ['invalid_client_id', 'client identifier invalid'],
        mismatch: ['redirect_uri_mismatch', 'redirect_uri must match configuration'],
        missing: ['OAUTH_EC_APP_NOT_FOUND', 'app must be installed into org'],
      }[env.authorizeMode];
      const location = err
        ? `/setup/secur/RemoteAccessErrorPage.apexp?error=${err[0]}&error_description=${encodeURIComponent(err[1])}`
        : '/?startURL=%2Fsetup%2Fsecur%2FRemoteAccessAuthorizationPage.apexp';
      res.writeHead(302, { location });
      return res.end();
    }
    if (url.pathname === '/setup/secur/RemoteAccessErrorPage.apexp') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' });
      return res.end(`<html><body><h1>error=${url.searchParams.get('error')}</h1><p>${url.searchParams.get('error_description')}</p></body></html>`);
    }
    if (url.pathname === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' });
      return res.end('<html><head><title>Login | Salesforce</title></head><body><form id="login"></form></body></html>');
    }
    if (url.pathname.startsWith('/fixture/')) {
      const file = join(STATIC, url.pathname.slice('/fixture/'.length));
      if (!file.startsWith(STATIC) || !existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      return res.end(readFileSync(file));
    }
    if (consumer.routes.some((r) => r.test(url.pathname))) {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      return res.end(consumer.render({ url }));
    }
    res.writeHead(404).end();
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

const cli = (...args) =>
  execFileSync(env.bin, [...args, '--data', env.data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

before(async () => {
  if (!existsSync(join(EXT, 'manifest.json'))) throw new Error(`no built extension at ${EXT}: run ./build.sh build`);
  env.bin = serverBinary();
  env.dir = mkdtempSync(join(tmpdir(), 'eca-guard-creds-e2e-'));
  env.data = join(env.dir, 'data');
  const config = join(env.dir, 'server.toml');
  writeFileSync(config, 'name = "Veeam prod"\npack = "veeam-eca"\ncallback_urls = ["https://veeam.acme.internal"]\n');
  env.server = await startGuardServer(env.bin, env.data, config);
  env.authorizeCalls = [];
  env.authorizeMode = 'inactive';
  env.fixture = await fixtureServer();
  const port = env.fixture.address().port;
  env.origin = `https://${HOST}:${port}`;
  env.profile = join(env.dir, 'profile');
  env.ctx = await chromium.launchPersistentContext(env.profile, {
    executablePath: CHROMIUM,
    headless: !process.env.HEADED,
    args: chromiumArgs(port, ['*.my.salesforce-setup.com', '*.my.salesforce.com', '*.vf.force.com']),
  });
  env.sw = env.ctx.serviceWorkers()[0] || (await env.ctx.waitForEvent('serviceworker', { timeout: 15000 }));
  env.extId = new URL(env.sw.url()).host;
  env.workerLog = [];
  env.sw.on('console', (m) => env.workerLog.push(m.text()));
});

after(async () => {
  await env.ctx?.close();
  env.server?.kill('SIGKILL');
  await new Promise((r) => (env.fixture ? env.fixture.close(r) : r()));
  if (env.dir) rmSync(env.dir, { recursive: true, force: true });
});

/** Our UI's text, read through CDP (it lives in a closed shadow root page scripts cannot open). */
async function guardUi(page) {
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  await cdp.detach();
  let hostNode = null;
  const find = (n) => {
    if (hostNode) return;
    if (n.nodeName === 'ECA-GUARD-SEND') hostNode = n;
    for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) find(c);
  };
  find(root);
  if (!hostNode) return null;
  const text = [];
  const walk = (n) => {
    if (n.nodeType === 3) text.push(n.nodeValue);
    for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) if (c.nodeName !== 'STYLE') walk(c);
  };
  walk(hostNode);
  const mode = hostNode.shadowRoots && hostNode.shadowRoots[0] && hostNode.shadowRoots[0].shadowRootType;
  return { text: text.join(' ').replace(/\s+/g, ' ').trim(), mode };
}

/** Clicks "Check again" inside our closed shadow root, as the admin would (a trusted click). */
async function clickRecheck(page) {
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  let id = null;
  const find = (n) => {
    if (id) return;
    if (n.nodeName === 'BUTTON' && (n.attributes || []).join(' ').includes('recheck')) id = n.nodeId;
    for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) find(c);
  };
  find(root);
  const { model } = await cdp.send('DOM.getBoxModel', { nodeId: id });
  await cdp.detach();
  const [x1, y1, , , x3, y3] = model.content;
  await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
}

async function waitFor(fn, what, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

function tryGet(app) {
  try {
    return JSON.parse(cli('get', '--org', ORG, '--app', app));
  } catch (_) {
    return null;
  }
}

async function clickSend(page) {
  const box = await page.locator('eca-guard-send').boundingBox();
  await page.mouse.click(box.x + 30, box.y + 12); // a real (trusted) click on the button (top left)
}

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
  assert.equal(tryGet(APP), null, 'nothing was sent without a real click');
  assert.equal(tryGet('Evil'), null);
  assert.match(cli('creds', 'list'), /^$/);

  // The admin's click sends; the server's get prints the same credentials.
  await clickSend(page);
  const got = await waitFor(() => tryGet(APP), 'the credential at the server');
  assert.equal(got.consumerKey, consumer.KEY);
  assert.equal(got.consumerSecret, consumer.SECRET);
  assert.equal(got.version, 1);
  const env1 = cli('get', '--org', ORG, '--app', APP, '--format', 'env');
  assert.ok(env1.includes(`ECA_GUARD_CONSUMER_SECRET='${consumer.SECRET}'`));
  const done = await waitFor(async () => {
    const u = await guardUi(page);
    return u && u.text.includes('Sent to') ? u : null;
  }, 'the success line');
  assert.match(done.text, /Sent to Veeam prod: acme\.my\.salesforce\.com \/ 0xI000000000001AAA, key 3MVG9fix…, stored\./);
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
    const g = tryGet(APP);
    return g && g.version === 2 ? g : null;
  }, 'version 2');
  assert.equal(v2.consumerSecret, consumer.ROTATED_SECRET);
  assert.equal(JSON.parse(cli('get', '--org', ORG, '--app', APP, '--version', '1')).consumerSecret, consumer.SECRET);
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('stored as version 2'), 'the version 2 line');

  // No secret in extension storage, the worker's log, the server's log, or the page's hostile loot.
  const storage = await env.sw.evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
  for (const s of [consumer.SECRET, consumer.ROTATED_SECRET]) {
    assert.ok(!storage.includes(s), 'a secret in chrome.storage.local');
    assert.ok(!env.workerLog.join('\n').includes(s), 'a secret in the worker log');
    assert.ok(!env.server.log().includes(s), 'a secret in the server log');
  }
  assert.ok(storage.includes('ecaGuardPairing'));
  const loot = await page.evaluate(() => JSON.stringify(window.__hostile.texts));
  assert.ok(!loot.includes('Sent to'), 'the page could not read the receipt');

  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });

  // Our content script never touches the clipboard.
  const src = readFileSync(join(EXT, 'content/credentials.js'), 'utf8');
  assert.ok(!/clipboard|execCommand/.test(src.replace(/^\s*\/\/.*$/gm, '')));
});

test('the legacy Connected App consumer details page (classic) sends too', async () => {
  const page = await env.ctx.newPage();
  const port = env.fixture.address().port;
  await page.goto(`https://acme.my.salesforce.com:${port}/app/mgmt/forceconnectedapps/forceAppDetail.apexp`);
  await page.waitForSelector('eca-guard-send', { state: 'attached' });
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  await clickSend(page);
  const got = await waitFor(() => tryGet('Veeam_Legacy'), 'the legacy credential');
  assert.equal(got.consumerKey, consumer.LEGACY_KEY);
  assert.equal(got.consumerSecret, consumer.LEGACY_SECRET);
});

test('no button on a Visualforce domain (code there could fake a key and secret)', async () => {
  const page = await env.ctx.newPage();
  const port = env.fixture.address().port;
  await page.goto(`https://acme--c.vf.force.com:${port}${PAGE}`);
  await page.click('#verify');
  await page.waitForTimeout(800);
  assert.equal(await page.locator('eca-guard-send').count(), 0);
});

test('a revoked browser gets a clear error on the page', async () => {
  const pairing = await env.sw.evaluate(async () => (await chrome.storage.local.get('ecaGuardPairing')).ecaGuardPairing);
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
