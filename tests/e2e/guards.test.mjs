// Tests that guard claims no other test could fail on (each was found by breaking the product on
// purpose and seeing the suite stay green; scripts/mutate-js.mjs applies those breakages again):
// - the Send button ignores synthetic events even from a page script that holds the button
//   itself (hostile.test.mjs's page only reaches the host element, which never delivers them);
// - neither the consumer key nor the secret reaches any console: the tab's (page and content
//   scripts), the confirm window's or the worker's;
// - an idle page sends no checks: the worker counts the checks it answers (worker/core.js
//   `timings.checks`), so a re-send that no content-script counter sees is caught too;
// - the message under each marked control is the finding's own message and fix.
// A real eca-guard-server and the fixture pages (send-harness.mjs), headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { byLabel, control, form, inContentScript, waitMarks } from './harness.mjs';
import { L } from './labels.mjs';
import { clickRecheck, clickSend, everyConsole, guardUi, nextConfirm, startSendEnv, waitFor } from './send-harness.mjs';

const APP_ID = '0xI000000000001AAA';
const CONSUMER = `/lightning/setup/ManageExternalClientApplication/${APP_ID}/consumer`;
const FORM = '/lightning/setup/ManageExternalClientApplication/new';
const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } };

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

/**
 * What a page script could do if it got hold of ECA Guard's button `part` (inside our closed
 * shadow root, which scripts cannot open): CDP resolves the node into the page's own world, where
 * page scripts run, and calls `fn` on it there. Returns `fn`'s result.
 */
async function asPageScriptOn(page, part, fn) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const find = (n) => {
      if (n.nodeName === 'BUTTON' && (n.attributes || []).join(' ').includes(`part ${part}`)) return n;
      for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) {
        const hit = find(c);
        if (hit) return hit;
      }
      return null;
    };
    const node = find(root);
    assert.ok(node, `the ${part} button in the DOM`);
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.backendNodeId });
    const r = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, returnByValue: true, functionDeclaration: fn });
    return r.result.value;
  } finally {
    await cdp.detach();
  }
}

/** Synthetic clicks and Enter keys at `this`, every way a script can make them. */
const SYNTHETIC = `function () {
  this.click();
  for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click']) {
    this.dispatchEvent(new MouseEvent(type, { bubbles: true, composed: true, cancelable: true, view: window }));
  }
  this.focus();
  for (const type of ['keydown', 'keypress', 'keyup']) {
    this.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', code: 'Enter', bubbles: true, composed: true }));
  }
  return this.localName + ' ' + this.getAttribute('part') + ' ' + this.textContent;
}`;

test('a page script that holds the Send button itself: its synthetic clicks and keys send nothing', async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${CONSUMER}`);
  await page.click('#verify');
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  const opened = nextConfirm(env.ctx, 3000);
  assert.equal(await asPageScriptOn(page, 'send', SYNTHETIC), 'button send Send to Veeam prod', 'the page script held the button');
  assert.equal(await opened, null, 'a synthetic event opened the confirm window');
  assert.equal(env.cli('creds', 'list'), '', 'a synthetic event sent the credentials');
  assert.doesNotMatch((await guardUi(page)).text, /Confirm the send|Pair ECA Guard|not both visible/, 'a synthetic event started a send');
  await page.close();
});

test("a page script that holds the 'Check again' button: its synthetic clicks probe nothing; the admin's click does", async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${CONSUMER}`);
  await page.click('#verify');
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
  const win = await clickSend(page);
  await win.close().catch(() => {});
  await waitFor(async () => /next check in/.test((await guardUi(page))?.text || ''), 'the first live check');
  const probes = env.authorizeCalls.length;
  assert.match(await asPageScriptOn(page, 'recheck', SYNTHETIC), /^button recheck/);
  await page.waitForTimeout(1500);
  assert.equal(env.authorizeCalls.length, probes, 'a synthetic click probed the app');
  await clickRecheck(page);
  await waitFor(() => env.authorizeCalls.length > probes, "the admin's click's probe");
  await page.close();
});

test('the consumer key and secret reach no console: not the tab (page or content script), the confirm window or the worker', async () => {
  const page = await env.ctx.newPage();
  const tab = await everyConsole(page);
  const confirmLog = [];
  const onPage = (p) => p.on('console', (m) => confirmLog.push(m.text()));
  env.ctx.on('page', onPage);
  const workerFrom = env.workerLog.length;
  try {
    await page.goto(`${env.origin}${CONSUMER}`);
    // The collector does hear the content scripts' world (else this test could not fail).
    await inContentScript(env, page, `console.log('eca-guard-console-probe')`);
    await waitFor(() => tab.some((l) => l.includes('eca-guard-console-probe')), "the content script's console in the collector");
    await page.click('#verify');
    await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');
    const win = await clickSend(page);
    await waitFor(async () => /Sent to Veeam prod/.test((await guardUi(page))?.text || ''), 'the receipt line');
    await win.close().catch(() => {});
    assert.ok(env.tryGet(APP_ID), 'the send went through (so every path that holds the secret ran)');
    const all = [...tab, ...confirmLog, ...env.workerLog.slice(workerFrom)].join('\n');
    for (const [name, v] of [['key', consumer.KEY], ['secret', consumer.SECRET]]) {
      assert.ok(!all.includes(v), `the consumer ${name} in a console:\n${all}`);
    }
  } finally {
    env.ctx.off('page', onPage);
    await page.close();
  }
});

/** Page checks the worker has answered since it started (worker/core.js `timings.checks`). */
const checksAnswered = async (page) => {
  const r = await inContentScript(env, page, `ecaGuard.send({ type: 'timings' })`);
  assert.equal(r.ok, true, JSON.stringify(r));
  return r.timings.checks;
};

test('an idle form sends no check for seconds; one keystroke sends one', async () => {
  await env.sw.evaluate((s) => chrome.storage.local.set({ ecaGuard: s }), VEEAM);
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${FORM}`);
  await form.check(page, L.en.oauth, true);
  await waitMarks(page, (m) => byLabel(m, L.en.callback), 'the callback mark');
  await page.waitForTimeout(500); // the load settles
  const before = await checksAnswered(page);
  assert.ok(before >= 1, `the worker counted the form's checks: ${before}`);
  await page.waitForTimeout(3000);
  assert.equal(await checksAnswered(page), before, 'checks sent while nothing changed');
  const t0 = Date.now();
  // A key in the callback field (the description, say, is not part of the snapshot: no check).
  await control(page, L.en.callback).locator('textarea').press('a');
  await waitFor(async () => (await checksAnswered(page)) > before, 'the keystroke\'s check');
  console.log(`# keystroke to check answered (idle form): ${Date.now() - t0} ms, polled`);
  await page.waitForTimeout(500);
  assert.equal(await checksAnswered(page), before + 1, 'one keystroke, one check');
  await page.close();
});

/** Every marked host anywhere (open shadow roots too): its rules, severity and message. */
const MARKED = `(() => {
  const out = [];
  const walk = (r) => {
    for (const el of r.querySelectorAll('*')) {
      if (el.hasAttribute('data-eca-guard')) {
        out.push({ severity: el.getAttribute('data-eca-guard'), rules: el.getAttribute('data-eca-guard-rules').split(' '),
          message: el.getAttribute('data-eca-guard-message') });
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return out;
})()`;

test("the message under each marked control is its finding's message and fix", async () => {
  await env.sw.evaluate((s) => chrome.storage.local.set({ ecaGuard: s }), VEEAM);
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${FORM}`);
  await form.check(page, L.en.oauth, true);
  await form.fill(page, L.en.callback, 'http://veeam.acme.internal/');
  await waitMarks(page, (m) => byLabel(m, L.en.callback) && byLabel(m, L.en.scopes), 'the callback and scope marks');
  await page.waitForTimeout(300);
  // The findings for what the page shows now, as the worker answers them.
  const reply = await inContentScript(env, page, `chrome.runtime.sendMessage({ type: 'check', snapshot: ecaGuard.current().read.snapshot })`);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const marked = await page.evaluate(MARKED);
  assert.ok(marked.length >= 2, JSON.stringify(marked));
  for (const m of marked) {
    const fs = reply.result.findings.filter((f) => m.rules.includes(f.rule));
    assert.ok(fs.length >= 1, `a mark without findings: ${JSON.stringify(m)}`);
    const more = fs.length > 1 ? ` (+${fs.length - 1} more in the ECA Guard panel)` : '';
    const top = fs.filter((f) => f.severity === m.severity);
    const want = top.map((f) => `${f.message} ${f.fix}${more}`);
    assert.ok(want.includes(m.message), `under ${m.rules.join(' ')}: ${JSON.stringify(m.message)}, want one of ${JSON.stringify(want)}`);
  }
  await page.close();
});
