// When the extension is reloaded or updated under an open Setup page, the old content script is
// orphaned: it must stop watching and tell the admin to reload, not fail silently.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { form, launch, waitMarks } from './harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('an orphaned content script says to reload the page', async () => {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  const page = await env.ctx.newPage();
  await page.goto(env.formUrl());
  await waitMarks(page, (m) => m.panel && m.marks.length === 1, 'first check');
  await env.worker().evaluate(() => chrome.runtime.reload()).catch(() => {}); // the worker dies with it
  await page.waitForTimeout(1000);
  await form.check(page, 'Enable OAuth', true);
  const text = await page.waitForFunction(() => {
    const p = document.querySelector('eca-guard-panel');
    const t = p && p.shadowRoot.textContent;
    return t && t.includes('Reload the page') && t;
  }, null, { timeout: 5000 });
  assert.match(await text.jsonValue(), /updated or turned off/);
  await page.close();
});
