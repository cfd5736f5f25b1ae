// The popup's "Copy page outline": the page's structure and labels for an issue report, never a
// value. Distinctive values are typed into the page first; none may appear in the outline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { form, launch, waitMarks } from './harness.mjs';
import { popupOutline, waitFor } from './org-harness.mjs';
import { L } from './labels.mjs';

let env;
before(async () => {
  env = await launch();
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
});
after(async () => {
  await env?.close();
});

const outlineOf = (page) => popupOutline(env, page);

const VALUES = ['Quokka Zebra 7731', 'Quokka_API_9921', 'quokka.tester@example.org', 'quokka-secret-host.example.net', 'Access Salesforce hosted MCP servers', 'Packaged'];

for (const shadow of ['synthetic', 'native']) {
  test(`New ECA form (${shadow}): labels and found controls, none of the values typed`, async () => {
    const t = L.en;
    const page = await env.ctx.newPage();
    await page.goto(env.formUrl(shadow === 'native' ? { shadow } : {}));
    await form.type(page, t.name, VALUES[0]);
    await form.type(page, 'API Name', VALUES[1]);
    await form.type(page, 'Contact Email', VALUES[2]);
    await form.pick(page, t.dist, t.packaged);
    await form.check(page, t.oauth, true);
    await form.type(page, t.callback, `https://${VALUES[3]}/cb`);
    await form.moveScopes(page, t.scopes, ['mcp_api']);
    await waitMarks(page, (m) => m.panel && m.panel.rules.includes('scope-extra'), 'the page read');
    const { outline, clipboard } = await outlineOf(page);
    assert.match(outline, /^ECA Guard page outline/);
    assert.match(outline, /reader: new-eca/);
    assert.match(outline, /requirePkce: lightning-input "Require Proof Key/);
    assert.match(outline, /"Callback URL"/);
    assert.match(outline, /lightning-input \[input\[type=checkbox\]\] "Enable OAuth"/);
    assert.match(outline, /"Security"/, 'section titles');
    for (const v of VALUES) assert.ok(!outline.includes(v), `the outline holds "${v}":\n${outline}`);
    if (clipboard !== null) assert.equal(clipboard, outline, 'the clipboard holds the outline');
    await page.close();
  });
}

test('ECA detail page: no app name, record id or saved value in the outline', async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}/lightning/setup/ManageExternalClientApplication/0xIfj0000009EQL/detail?expand=1`);
  await waitFor(() => page.evaluate(() => document.querySelector('eca-guard-panel')?.dataset.rules.includes('pkce')), 'the page read');
  const { outline } = await outlineOf(page);
  assert.match(outline, /reader: eca-detail/);
  assert.match(outline, /tab \(selected\) "Settings"/);
  assert.match(outline, /page: \/lightning\/setup\/ManageExternalClientApplication\/<id>\/detail/);
  for (const v of ['Veeam Backup', '0xIfj0000009EQL', 'veeam.acme.internal', '203.0.113.10', 'Full access']) assert.ok(!outline.includes(v), `the outline holds "${v}"`);
  await page.close();
});

test('a classic page in Setup\'s iframe answers for the tab (no token, no value)', async () => {
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}/lightning/setup/SecuritySession/home`);
  await waitFor(() => page.frames().find((f) => f.name().startsWith('vfFrameId'))?.evaluate(() => !!document.querySelector('eca-guard-panel')), 'the iframe read');
  const { outline } = await outlineOf(page);
  assert.match(outline, /reader: session-settings/);
  assert.match(outline, /\(in a frame\)/);
  assert.match(outline, /"Lock sessions to the IP address from which they originated"/);
  assert.ok(!outline.includes('fixture-token-not-a-secret'));
  assert.ok(!outline.includes('setHelp'), 'no help-script text');
  await page.close();
});
