// Legacy Connected App pages (classic Visualforce in the Aloha iframe): the New/Edit page and
// the detail page, checked for veeam-connected-app (and an ECA pack), with the Spring '26 /
// five-approvals note and the org's notes in the page panel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import { alohaFrame, classicMarks, watchConsole } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const LEGACY = { pack: 'veeam-connected-app', params: { callbackUrls: ['https://203.0.113.10', 'https://veeam.acme.internal'] } };
const EDIT = '/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppEdit.apexp';
const DETAIL = '/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppDetail.apexp%3FapplicationId%3D06P000000000001';

async function open(host, path) {
  const page = await env.ctx.newPage();
  const problems = watchConsole(page);
  await page.goto(`https://${host}:${env.server.port}${path}`);
  return { page, problems };
}
const byRule = (m, rule) => m.marks.find((x) => x.rules.includes(rule));

describe('Connected App edit page', () => {
  test('veeam-connected-app: wrong callback and scopes are marked on the inputs; notes on the page', async () => {
    await env.setSettings(LEGACY);
    const { page, problems } = await open('bad.my.salesforce-setup.com', EDIT);
    const m = await classicMarks(page, (m) => byRule(m, 'callback-trailing-slash') && byRule(m, 'scope-missing'), 'callback and scope marks');
    assert.equal(byRule(m, 'callback-trailing-slash').tag, 'textarea');
    assert.equal(byRule(m, 'scope-missing').tag, 'select');
    assert.ok(byRule(m, 'scope-extra'), 'api is not needed');
    assert.match(m.panelText, /Spring '26/);
    assert.match(m.panelText, /5 authorizations per user/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('veeam-connected-app: moving the missing scope over clears scope-missing', async () => {
    await env.setSettings(LEGACY);
    const { page } = await open('bad.my.salesforce-setup.com', EDIT);
    await classicMarks(page, (m) => byRule(m, 'scope-missing'), 'scope-missing');
    const f = alohaFrame(page);
    await f.locator('select').first().selectOption({ label: 'Perform requests on your behalf at any time (refresh_token, offline_access)' });
    // A real click: it fails if the ECA Guard panel (fixed, bottom right) covers the arrows.
    await f.locator('a[data-move="add"]').click({ timeout: 5000 });
    const m = await classicMarks(page, (m) => !byRule(m, 'scope-missing'), 'scope-missing gone');
    assert.ok(byRule(m, 'scope-extra'));
    await page.close();
  });

  test('correct app: nothing wrong', async () => {
    await env.setSettings(LEGACY);
    const { page } = await open('good.my.salesforce-setup.com', EDIT);
    const m = await classicMarks(page, (m) => m.panel, 'panel');
    assert.equal(m.panel.errors, 0, JSON.stringify(m.marks));
    assert.equal(m.panel.warnings, 0, JSON.stringify(m.marks));
    await page.close();
  });

  test('an ECA pack on a Connected App page still gets the Spring \'26 note', async () => {
    await env.setSettings({ ...LEGACY, pack: 'veeam-eca' });
    const { page } = await open('good.my.salesforce-setup.com', EDIT);
    const m = await classicMarks(page, (m) => m.panel, 'panel');
    assert.match(m.panelText, /can no longer be created since Spring '26/);
    assert.match(m.panelText, /five approvals per user/);
    await page.close();
  });

  test('changed labels: Callback URL could not be read', async () => {
    await env.setSettings(LEGACY);
    const { page } = await open('changed.my.salesforce-setup.com', EDIT);
    const m = await classicMarks(page, (m) => m.panel && m.panel.items.includes('field-unreadable'), 'unreadable');
    // Under the setting's English label (the page's is not known), the message says "it".
    assert.match(m.panelText, /Callback URLWarning: ECA Guard could not read it/);
    await page.close();
  });
});

describe('classic rows as Salesforce renders them', () => {
  // Help bubbles with script text in the label cell (callback, secret, PKCE on the detail page),
  // checkbox-first rows (secret, PKCE on the edit page), data2Col cells, scopes on one line.
  for (const [what, path] of [['edit', EDIT], ['detail', DETAIL]]) {
    test(`${what} page: callback, secret and PKCE rows are read (veeam-eca: PKCE off is the deviation)`, async () => {
      await env.setSettings({ ...LEGACY, pack: 'veeam-eca' });
      const { page } = await open('good.my.salesforce-setup.com', path);
      const m = await classicMarks(page, (m) => byRule(m, 'pkce'), 'pkce deviation');
      assert.equal(byRule(m, 'pkce').severity, 'deviation');
      assert.equal(byRule(m, 'pkce').label, 'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows');
      assert.ok(!m.panel.items.includes('field-unreadable'), m.panelText);
      assert.ok(!m.panel.items.includes('callback-missing') && !m.panel.items.includes('scope-missing'), m.panelText);
      assert.doesNotMatch(m.panelText, /setHelp/, 'no help-script text in any label');
      await page.close();
    });
  }
});

test('a Connected App page in a language without labels says so (never an empty panel)', async () => {
  await env.setSettings(LEGACY);
  for (const path of [EDIT, DETAIL]) {
    const sep = path.includes('?') ? '&' : '?';
    const { page } = await open('bad.my.salesforce-setup.com', `${path}${sep}lang=fr`);
    const m = await classicMarks(page, (m) => m.panel && m.panel.rules.includes('labels-unknown'), `labels-unknown (${path})`);
    assert.ok(!m.panel.items.includes('field-unreadable'), 'the warning covers what was not looked for');
    assert.match(m.panelText, /\(fr\)/);
    await page.close();
  }
});

describe('Connected App detail page', () => {
  test('veeam-connected-app: saved values are read from text and checkbox images', async () => {
    await env.setSettings(LEGACY);
    let { page, problems } = await open('bad.my.salesforce-setup.com', DETAIL);
    let m = await classicMarks(page, (m) => byRule(m, 'callback-trailing-slash'), 'detail marks');
    assert.equal(byRule(m, 'callback-trailing-slash').tag, 'td');
    assert.ok(byRule(m, 'scope-missing'));
    assert.deepEqual(problems, []);
    await page.close();
    ({ page } = await open('good.my.salesforce-setup.com', DETAIL));
    m = await classicMarks(page, (m) => m.panel, 'panel');
    assert.equal(m.panel.errors + m.panel.warnings, 0, JSON.stringify(m.marks));
    assert.doesNotMatch(m.panelText, /Consumer Secret/);
    await page.close();
  });

  test('sandbox host: the sandbox-refresh and API host notes are on the page', async () => {
    await env.setSettings(LEGACY);
    const { page } = await open('acme--uat.sandbox.my.salesforce-setup.com', DETAIL);
    const m = await classicMarks(page, (m) => m.panel, 'panel');
    assert.match(m.panelText, /This is a sandbox: a refresh wipes/);
    assert.match(m.panelText, /https:\/\/acme--uat\.sandbox\.my\.salesforce\.com/);
    await page.close();
  });
});
