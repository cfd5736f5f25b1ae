// Shared set-up for the tests of "Send to <server>" (credentials.test.mjs, hostile.test.mjs): a
// real eca-guard-server on 127.0.0.1 (built if missing), a fixture HTTPS server for the
// "Consumer Key and Secret" pages and a stand-in for the org's OAuth authorize endpoint (every
// other path is served by tests/fixtures/serve.mjs), and headless Chromium with the built
// extension. Helpers read and click our UI inside its closed shadow root through CDP.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CSP, certificate, handle } from '../fixtures/serve.mjs';
import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { CHROMIUM, EXT, chromiumArgs } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
export const HOST = 'acme.my.salesforce-setup.com';
export const ORG = 'acme.my.salesforce.com';

function serverBinary() {
  for (const p of ['target/debug/eca-guard-server', 'target/release/eca-guard-server']) {
    if (existsSync(join(ROOT, p))) return join(ROOT, p);
  }
  execFileSync('cargo', ['build', '-q', '-p', 'eca-guard-server'], { cwd: ROOT, stdio: 'inherit' });
  return join(ROOT, 'target/debug/eca-guard-server');
}

function startGuardServer(g, config) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(g.bin, ['serve', '--listen', '127.0.0.1:0', '--data', g.data, '--config', config], {
      env: { ...process.env, RUST_LOG: 'debug' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/listen=(127\.0\.0\.1:\d+)/);
      if (m && !g.addr) {
        g.addr = m[1];
        resolveStart(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`eca-guard-server exited ${code}: ${log}`)));
    child.log = () => log;
  });
}

function fixtureServer(env) {
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
    if (consumer.routes.some((r) => r.test(url.pathname))) {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      return res.end(consumer.render({ url }));
    }
    handle(req, res); // the other fixture pages and /fixture/ scripts
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/**
 * A real eca-guard-server ("Veeam prod", pack veeam-eca) on a fresh data directory, with its
 * command line: `{bin, data, addr, server, cli, tryGet, pairingCode, close}`. Also used by the
 * Firefox test. `extraConfig`: more TOML for its configuration file (vault.test.mjs's sink).
 */
export async function startGuard(extraConfig = '') {
  const g = {};
  g.bin = serverBinary();
  g.dir = mkdtempSync(join(tmpdir(), 'eca-guard-send-e2e-'));
  g.data = join(g.dir, 'data');
  const config = join(g.dir, 'server.toml');
  g.config = config;
  writeFileSync(config, `name = "Veeam prod"\npack = "veeam-eca"\ncallback_urls = ["https://veeam.acme.internal"]\n${extraConfig}`);
  g.server = await startGuardServer(g, config);
  /** Runs the server's command line on its data directory. */
  g.cli = (...args) =>
    execFileSync(g.bin, [...args, '--data', g.data, '--config', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  /** The credential stored for `app` in the fixture org, or null. */
  g.tryGet = (app) => {
    try {
      return JSON.parse(g.cli('get', '--org', ORG, '--app', app));
    } catch (_) {
      return null;
    }
  };
  g.pairingCode = () => g.cli('pair', '--url', `http://${g.addr}`).trim();
  g.close = () => {
    g.server.kill('SIGKILL');
    rmSync(g.dir, { recursive: true, force: true });
  };
  return g;
}

/** Starts the server (with `extraConfig`, see startGuard), the fixture pages and Chromium;
 * `env.close()` stops them. */
export async function startSendEnv(extraConfig = '') {
  if (!existsSync(join(EXT, 'manifest.json'))) throw new Error(`no built extension at ${EXT}: run ./build.sh build`);
  const guard = await startGuard(extraConfig);
  const env = { ...guard, authorizeCalls: [], authorizeMode: 'inactive', workerLog: [] };
  env.fixture = await fixtureServer(env);
  env.port = env.fixture.address().port;
  env.origin = `https://${HOST}:${env.port}`;
  env.ctx = await chromium.launchPersistentContext(join(env.dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: !process.env.HEADED,
    viewport: { width: 1280, height: 900 },
    args: chromiumArgs(env.port, ['*.my.salesforce-setup.com', '*.my.salesforce.com', '*.vf.force.com']),
  });
  env.sw = env.ctx.serviceWorkers()[0] || (await env.ctx.waitForEvent('serviceworker', { timeout: 15000 }));
  env.extId = new URL(env.sw.url()).host;
  env.sw.on('console', (m) => env.workerLog.push(m.text()));
  // The worker's errors and warnings, whichever worker it is after a restart.
  env.workerProblems = [];
  const watchWorker = (w) => w.on('console', (m) => ['error', 'warning'].includes(m.type()) && env.workerProblems.push(`${m.type()}: ${m.text()}`));
  watchWorker(env.sw);
  env.ctx.on('serviceworker', watchWorker);
  /** Pairs with a fresh code, from the options page (the message its Pair button sends). */
  env.pair = async () => {
    const code = env.pairingCode();
    const options = await env.ctx.newPage();
    await options.goto(`chrome-extension://${env.extId}/options/options.html`);
    const r = await options.evaluate((c) => chrome.runtime.sendMessage({ type: 'pair', code: c }), code);
    return { reply: r, code, options };
  };
  env.close = async () => {
    await env.ctx?.close();
    await new Promise((r) => (env.fixture ? env.fixture.close(r) : r()));
    guard.close();
  };
  return env;
}

/** The nodes of the whole page, closed shadow roots included (CDP pierces them; scripts can't). */
async function domTree(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    return { root, cdp };
  } catch (e) {
    await cdp.detach();
    throw e;
  }
}

function findNode(n, pred) {
  if (pred(n)) return n;
  for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) {
    const hit = findNode(c, pred);
    if (hit) return hit;
  }
  return null;
}

/** Our UI's text, read through CDP (it lives in a closed shadow root page scripts cannot open). */
export async function guardUi(page) {
  const { root, cdp } = await domTree(page);
  await cdp.detach();
  const hostNode = findNode(root, (n) => n.nodeName === 'ECA-GUARD-SEND');
  if (!hostNode) return null;
  const text = [];
  const walk = (n) => {
    if (n.nodeType === 3) text.push(n.nodeValue);
    for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) if (c.nodeName !== 'STYLE') walk(c);
  };
  walk(hostNode);
  const mode = hostNode.shadowRoots && hostNode.shadowRoots[0] && hostNode.shadowRoots[0].shadowRootType;
  return { text: text.join(' ').replace(/\s+/g, ' ').trim(), texts: text, mode };
}

/** Clicks "Check again" inside our closed shadow root, as the admin would (a trusted click). */
export async function clickRecheck(page) {
  const { root, cdp } = await domTree(page);
  const button = findNode(root, (n) => n.nodeName === 'BUTTON' && (n.attributes || []).join(' ').includes('recheck'));
  const { model } = await cdp.send('DOM.getBoxModel', { nodeId: button.nodeId });
  await cdp.detach();
  const [x1, y1, , , x3, y3] = model.content;
  await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
}

export async function waitFor(fn, what, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** ECA Guard's next confirm window (an extension page in a popup window), or null after `timeout`. */
export function nextConfirm(ctx, timeout = 5000) {
  return ctx.waitForEvent('page', { predicate: (p) => p.url().includes('/confirm/confirm.html'), timeout }).catch(() => null);
}

/**
 * A real (trusted) click on the Send button (its top left); then, unless `confirm` is false,
 * a click on Send in the confirm window it opens, as the admin would.
 */
export async function clickSend(page, { confirm = true } = {}) {
  const box = await page.locator('eca-guard-send').boundingBox();
  const opened = confirm ? nextConfirm(page.context()) : null;
  await page.mouse.click(box.x + 30, box.y + 12);
  if (!confirm) return null;
  const win = await opened;
  if (!win) throw new Error('no confirm window opened');
  await win.waitForSelector('body[data-ready]');
  win.shownText = await win.innerText('body'); // what the admin saw before confirming
  await win.click('#confirm'); // waits until it is armed
  return win;
}

/**
 * Every console message of `page`, from every world in it (the page's own scripts and ECA
 * Guard's content scripts: CDP's Runtime domain reports them all, where Playwright's console
 * event drops the isolated worlds), and the browser's log entries for it: `['type: text', …]`.
 */
export async function everyConsole(page) {
  const seen = [];
  const cdp = await page.context().newCDPSession(page);
  const text = (a) => (a.value !== undefined ? String(a.value) : a.description || a.unserializableValue || '');
  cdp.on('Runtime.consoleAPICalled', (e) => seen.push(`${e.type}: ${e.args.map(text).join(' ')}`));
  cdp.on('Runtime.exceptionThrown', (e) => seen.push(`exception: ${JSON.stringify(e.exceptionDetails)}`));
  cdp.on('Log.entryAdded', (e) => seen.push(`${e.entry.level}: ${e.entry.text}${e.entry.url ? ` (${e.entry.url})` : ''}`));
  await cdp.send('Runtime.enable');
  await cdp.send('Log.enable');
  return seen;
}
