// When the extension is reloaded or updated under an open Setup page, the old content script is
// orphaned: it must stop watching and tell the admin to reload, not fail silently.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { form, launch, panelView, waitMarks } from './harness.mjs';
import { waitFor } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('the worker stopping (idle, or killed) does not lose the page: the next change re-opens the port', async () => {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  const page = await env.ctx.newPage();
  await page.goto(env.formUrl());
  await waitMarks(page, (m) => m.panel && m.panel.errors === 1, 'first check');
  for (let round = 0; round < 2; round++) {
    const cdp = await env.ctx.browser().newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${env.extId}/`));
    assert.ok(sw, 'worker target');
    await cdp.send('Target.closeTarget', { targetId: sw.targetId });
    await cdp.detach();
    await page.waitForTimeout(200);
    await form.check(page, 'Enable OAuth', round === 0);
    await waitMarks(page, (m) => m.panel.errors === (round === 0 ? 3 : 1), `check after worker stop ${round}`);
  }
  await page.close();
});

test('an orphaned content script says to reload the page', async () => {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  const page = await env.ctx.newPage();
  await page.goto(env.formUrl());
  await waitMarks(page, (m) => m.panel && m.marks.length === 1, 'first check');
  await env.worker().evaluate(() => chrome.runtime.reload()).catch(() => {}); // the worker dies with it
  await page.waitForTimeout(1000);
  await form.check(page, 'Enable OAuth', true);
  // The content script outlives its extension here, and its world still answers.
  const view = await waitFor(async () => {
    const v = await panelView(page);
    return v && v.text.includes('Reload the page') ? v : null;
  }, 'the reload note', 5000);
  assert.match(view.text, /updated or turned off/);
  await page.close();
});
