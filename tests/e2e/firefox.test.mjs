// The Firefox build (dist/firefox) in real headless Firefox ESR, end to end: installed as a
// temporary add-on over WebDriver BiDi (puppeteer-core; Playwright's Firefox can't load
// extensions, docs/toolchain.md "Real-browser tests"). It covers what only Firefox runs: the event
// page (background.scripts) with the Wasm core, the `browser` API, install-time host permissions,
// storage without storage.managed, runtime.openOptionsPage and the options page's Save.
// Flow: the New ECA form with no pack → the panel's "Open ECA Guard options" link → choose the
// Veeam pack and its callbacks, Save → the form is re-checked → a callback with a trailing slash
// is marked (contract "On the page") → fixed, the mark goes away. Then the event page is left
// to stop idle (a short idle timeout) and the next keystroke must wake it and be checked again.
// Last, a send: pair with a real eca-guard-server from the options page, click Send on the
// Consumer Key and Secret page, confirm in ECA Guard's own window (a popup window there too),
// and the server has the credentials; the pairing key is in no chrome.storage area (Firefox
// cannot keep content scripts out of storage.local, so it must not be there at all).
// Skips (with the reason printed) only when Firefox ESR or the build is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../fixtures/serve.mjs';
import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { waitFor as waitUntil } from './org-harness.mjs';
import { startGuard } from './send-harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXT = resolve(HERE, '../../dist/firefox');
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const HOST = 'acme.my.salesforce-setup.com';
const IDLE_MS = 1500;
const CALLBACKS = ['https://172.12.0.1', 'https://acme.internal.com'];

let skip = null;
if (!existsSync(FIREFOX)) skip = `no Firefox at ${FIREFOX} (./build.sh installs firefox-esr)`;
else if (!existsSync(join(EXT, 'manifest.json'))) skip = `no built extension at ${EXT}: run ./build.sh build`;

let puppeteer, server, browser, page, options, guard;
const pageErrors = [];

before(async () => {
  if (skip) return;
  ({ default: puppeteer } = await import('puppeteer-core'));
  server = await startServer({ port: 0 });
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: process.env.HEADED ? false : true,
    defaultViewport: { width: 1280, height: 900 }, // as the Chromium tests: the panel leaves the form free
    acceptInsecureCerts: true, // the fixture server's self-signed certificate
    extraPrefsFirefox: {
      // Every host name goes to the fixture server; the port is in the URL.
      'network.dns.forceResolve': '127.0.0.1',
      // The event page stops after this long idle (default 30 s), so the second test can
      // check a woken page re-loads the Wasm core and the form's port reconnects.
      'extensions.background.idle.timeout': IDLE_MS,
      // DUMPIO=1: Firefox's own output and the console of every page, extension ones too.
      ...(process.env.DUMPIO ? { 'devtools.console.stdout.chrome': true, 'devtools.console.stdout.content': true } : {}),
    },
    dumpio: !!process.env.DUMPIO,
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  guard?.close();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The shared poll (org-harness.mjs), with this file's argument order and Firefox's longer wait. */
const waitFor = (what, fn, timeout = 10000) => waitUntil(fn, what, timeout);

/** The contract marks on the page and the panel's counts (synthetic shadow: light DOM). */
const marks = (page) =>
  page.evaluate(() => {
    const panel = document.querySelector('eca-guard-panel');
    return {
      marks: [...document.querySelectorAll('[data-eca-guard]')].map((h) => ({
        // The hosts keep no name attribute (as the real base components): their control has it.
        name: (h.querySelector('input, textarea') || h).getAttribute('name'),
        severity: h.getAttribute('data-eca-guard'),
        rules: (h.getAttribute('data-eca-guard-rules') || '').split(' ').filter(Boolean),
      })),
      panel: panel && { errors: panel.dataset.errors },
    };
  });

const mark = (m, name) => m.marks.find((x) => x.name === name);
const callback = () => page.locator('textarea[name=CallbackUrl]');
const slashMarked = async () => {
  const m = await marks(page);
  return mark(m, 'CallbackUrl')?.rules.includes('callback-trailing-slash') && m;
};
const callbackClear = async () => {
  const m = await marks(page);
  return !mark(m, 'CallbackUrl') && m;
};
/** The event page's clock (ms since it started), asked from the options page. */
const workerNow = () =>
  options.evaluate(() => browser.runtime.sendMessage({ type: 'timings' }).then((r) => r.ok && r.timings.now));

function skipIf(t) {
  if (!skip) return false;
  console.log(`# firefox.test.mjs skipped: ${skip}`);
  t.skip(skip);
  return true;
}

test('Firefox: set up in the options page, then a trailing-slash callback is marked and cleared', async (t) => {
  if (skipIf(t)) return;
  const manifest = JSON.parse(readFileSync(join(EXT, 'manifest.json'), 'utf8'));
  assert.ok(!manifest.background.service_worker, 'the Firefox manifest has no service_worker key');
  const id = await browser.installExtension(EXT);
  assert.equal(id, manifest.browser_specific_settings.gecko.id);

  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`https://${HOST}:${server.port}/lightning/setup/ManageExternalClientApplication/new`);

  // No pack chosen yet: the event page answers NoPack and the panel links to the options. The
  // panel's shadow root is closed (neither the page nor this test can look inside), so the link
  // is reached as a keyboard user would: from just before the panel, Tab past its Dock and Hide
  // buttons to the link, and Enter.
  await waitFor('the panel', async () => (await marks(page)).panel);
  const known = new Set(await browser.pages());
  await page.evaluate(() => {
    const before = document.createElement('button');
    before.id = 'before-panel';
    document.querySelector('eca-guard-panel').before(before);
    before.focus();
  });
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.localName), 'eca-guard-panel', 'focus inside the panel');
  await page.keyboard.press('Enter'); // the link: runtime.openOptionsPage in the event page
  // Firefox's BiDi sends no navigation events for moz-extension:// tabs (the target's url stays
  // about:blank, and page.goto to one is refused), so find the new tab by asking where it is.
  options = await waitFor('the options tab', async () => {
    for (const p of await browser.pages()) {
      if (known.has(p)) continue;
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (href.startsWith('moz-extension://') && href.includes('/options/')) return p;
    }
  });
  options.on('pageerror', (e) => pageErrors.push(`options: ${e.message}`));
  // MV3 host permissions are granted at install since Firefox 127 (strict_min_version 128).
  assert.equal(
    await options.evaluate(() => browser.permissions.contains({ origins: ['https://*.my.salesforce-setup.com/*'] })),
    true,
    'host permission for the Setup host'
  );
  // The options page loads the Wasm core itself to list the packs; choose one and Save.
  await waitFor('the pack list', () =>
    options.evaluate(() => [...document.querySelectorAll('#pack option')].some((o) => o.value === 'veeam-eca'))
  );
  await options.select('#pack', 'veeam-eca');
  await options.locator('#callbackUrls').fill(CALLBACKS.join('\n'));
  await options.locator('#save').click();
  const stored = await waitFor('the settings saved', () =>
    options.evaluate(() => browser.storage.local.get('ecaGuard').then((s) => s.ecaGuard?.pack === 'veeam-eca' && s.ecaGuard))
  );
  assert.deepEqual(stored.params.callbackUrls, CALLBACKS);

  // The saved settings re-check the open form (storage.onChanged → recheck): OAuth is off.
  await page.bringToFront();
  let m = await waitFor('oauth-disabled', async () => {
    const m = await marks(page);
    return mark(m, 'isOauthEnabled') && m;
  });
  assert.deepEqual(mark(m, 'isOauthEnabled').rules, ['oauth-disabled']);
  assert.equal(mark(m, 'isOauthEnabled').severity, 'error');
  await page.locator('lightning-input:has(input[name=isOauthEnabled]) label').click();
  await waitFor('OAuth on', async () => !mark(await marks(page), 'isOauthEnabled'));

  // A wrong callback, typed key by key: the first URL with a trailing slash.
  await callback().click();
  await page.keyboard.type(`${CALLBACKS[0]}/\n${CALLBACKS[1]}`);
  m = await waitFor('callback-trailing-slash', slashMarked);
  assert.ok(['error', 'warning'].includes(mark(m, 'CallbackUrl').severity), JSON.stringify(mark(m, 'CallbackUrl')));

  // Fixed: both attributes go away.
  await callback().fill(CALLBACKS.join('\n'));
  await waitFor('the callback mark cleared', callbackClear);
  const attrs = await page.evaluate(() => {
    const h = document.querySelector('lightning-textarea:has(textarea[name=CallbackUrl])');
    return [h.hasAttribute('data-eca-guard'), h.hasAttribute('data-eca-guard-rules')];
  });
  assert.deepEqual(attrs, [false, false]);
  assert.deepEqual(pageErrors, []);
});

test('Firefox: after the event page stopped idle, the next keystroke wakes it and is checked', async (t) => {
  if (skipIf(t)) return;
  assert.ok(page && options, 'the first test set up the form and the options page');
  const before = await workerNow();
  const t0 = Date.now();
  await sleep(IDLE_MS * 2 + 500);
  // Typing wakes the event page through the form's port (reopened after the stop): the Wasm
  // core loads again there, and the mark comes back.
  await page.$eval('textarea[name=CallbackUrl]', (ta) => {
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
  });
  await page.keyboard.type('/');
  await waitFor('callback-trailing-slash after the wake', slashMarked);
  const after = await workerNow();
  console.log(`# event page clock: ${Math.round(before)} ms before the idle stop, ${Math.round(after)} ms after the wake`);
  assert.ok(after < before + (Date.now() - t0) - IDLE_MS, `the event page restarted (clock ${before} → ${after} ms)`);
  await page.keyboard.press('Backspace');
  await waitFor('the callback mark cleared after the wake', callbackClear);
  assert.deepEqual(pageErrors, []);
});

/** A tab or window opened since `known` whose extension page address contains `part`. */
async function newExtensionPage(known, part) {
  for (const p of await browser.pages()) {
    if (known.has(p)) continue;
    const href = await p.evaluate(() => location.href).catch(() => '');
    if (href.startsWith('moz-extension://') && href.includes(part)) return p;
  }
  return null;
}

test("Firefox: pair, then a send confirmed in ECA Guard's window reaches the server; no key in storage", async (t) => {
  if (skipIf(t)) return;
  assert.ok(options, 'the first test opened the options page');
  guard = await startGuard();
  const paired = await options.evaluate((c) => browser.runtime.sendMessage({ type: 'pair', code: c }), guard.pairingCode());
  assert.equal(paired.ok, true, JSON.stringify(paired));
  const stored = await options.evaluate(() =>
    Promise.all([browser.storage.local.get(null), browser.storage.sync.get(null)]).then(JSON.stringify)
  );
  assert.ok(!/ecag[kp]1\./.test(stored), `the pairing key in chrome.storage: ${stored}`);

  const send = await browser.newPage();
  send.on('pageerror', (e) => pageErrors.push(`consumer page: ${e.message}`));
  await send.goto(`https://${HOST}:${server.port}/lightning/setup/ManageExternalClientApplication/0xI000000000001AAA/consumer`);
  await send.click('#verify');
  const host = await waitFor('the Send button', () => send.$('eca-guard-send'));
  await sleep(300); // the button learns the server's name from the worker at the page's start
  const known = new Set(await browser.pages());
  const box = await host.boundingBox();
  await send.mouse.click(box.x + 30, box.y + 12);
  const win = await waitFor('the confirm window', () => newExtensionPage(known, '/confirm/confirm.html'));
  await waitFor('Send armed in the confirm window', () =>
    win.evaluate(() => document.body.hasAttribute('data-ready') && !document.getElementById('confirm').disabled)
  );
  assert.equal(guard.tryGet('0xI000000000001AAA'), null, 'nothing sent before Send in the window');
  const text = await win.evaluate(() => document.body.innerText);
  assert.ok(text.includes('acme.my.salesforce.com') && text.includes('Veeam prod') && !text.includes(consumer.SECRET), text);
  await win.click('#confirm');
  const got = await waitFor('the credential at the server', () => guard.tryGet('0xI000000000001AAA'));
  assert.equal(got.consumerKey, consumer.KEY);
  assert.equal(got.consumerSecret, consumer.SECRET);
  assert.deepEqual(pageErrors, []);
});
