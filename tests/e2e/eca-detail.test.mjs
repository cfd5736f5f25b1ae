// The External Client App detail page (second phase): Settings › OAuth Settings and Policies ›
// OAuth Policies, in view and edit mode, both shadow modes, checked against each ECA pack; the
// policies then show in the popup's ip-relaxation / permitted-users rows for that org.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, panelView } from './harness.mjs';
import { marksIn, popupRows, watchConsole } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://203.0.113.10', 'https://veeam.acme.internal'] } };
const DELPHIX = { pack: 'delphix-crt-eca', params: { serverAddresses: ['203.0.113.10'] } };
const PATH = '/lightning/setup/ManageExternalClientApplication/0xIfj0000009EQL/detail';

/** Marks anywhere in the page (open shadow roots too), as [{tag, severity, rules}]. */
const DEEP_MARKS = () => {
  const out = [];
  const walk = (r) => {
    for (const e of r.querySelectorAll('*')) {
      if (e.hasAttribute('data-eca-guard')) {
        out.push({ tag: e.localName, severity: e.getAttribute('data-eca-guard'), rules: e.getAttribute('data-eca-guard-rules').split(' ') });
      }
      if (e.shadowRoot && e.localName !== 'eca-guard-panel') walk(e.shadowRoot);
    }
  };
  walk(document);
  const p = document.querySelector('eca-guard-panel');
  return { marks: out, panel: p && { errors: +p.dataset.errors, warnings: +p.dataset.warnings, deviations: +p.dataset.deviations } };
};

async function open(org, query) {
  const page = await env.ctx.newPage();
  const problems = watchConsole(page);
  await page.goto(`https://${org}.my.salesforce-setup.com:${env.server.port}${PATH}${query}`);
  return { page, problems };
}

const wait = (page, pred, what) => marksIn(page.mainFrame(), () => true, what).then(() => waitDeep(page, pred, what));
async function waitDeep(page, pred, what) {
  const end = Date.now() + 6000;
  let last;
  while (Date.now() < end) {
    last = await page.evaluate(DEEP_MARKS);
    last.panelText = ((await panelView(page)) || { text: '' }).text; // the panel's root is closed
    if (last.panel && pred(last)) return last;
    await page.waitForTimeout(30);
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}
const rulesOf = (m) => m.marks.flatMap((x) => x.rules).sort();

for (const shadow of ['synthetic', 'native']) {
  const sq = shadow === 'native' ? '&shadow=native' : '';
  describe(`ECA detail (${shadow} shadow)`, () => {
    test('delphix-crt-eca, Policies in view mode: Relax IP restrictions is a deviation; Enforce is a warning (Delphix recommends relaxing)', async () => {
      await env.setSettings(DELPHIX);
      let { page, problems } = await open('good', `?app=delphix&tab=policies${sq}`);
      let m = await wait(page, (m) => m.marks.some((x) => x.rules.includes('ip-relaxation')), 'ip-relaxation deviation');
      const ip = m.marks.find((x) => x.rules.includes('ip-relaxation'));
      assert.equal(ip.severity, 'deviation');
      assert.match(m.panelText, /Salesforce recommends "Enforce IP restrictions"/);
      assert.equal(m.panel.errors, 0);
      assert.deepEqual(problems, []);
      await page.close();
      ({ page } = await open('bad', `?app=delphix&tab=policies${sq}`));
      m = await wait(page, (m) => m.marks.some((x) => x.rules.includes('ip-relaxation')), 'ip-relaxation warning');
      assert.equal(m.marks.find((x) => x.rules.includes('ip-relaxation')).severity, 'warning');
      assert.match(m.panelText, /recommends "Relax IP restrictions"/);
      await page.close();
    });

    test('delphix-crt-eca, Policies in edit mode: the combobox is marked and follows a change', async () => {
      await env.setSettings(DELPHIX);
      const { page } = await open('bad', `?app=delphix&tab=policies&mode=edit${sq}`);
      let m = await wait(page, (m) => m.marks.some((x) => x.tag === 'lightning-combobox'), 'combobox mark');
      assert.equal(m.marks.find((x) => x.tag === 'lightning-combobox').severity, 'warning');
      const combo = page.locator('lightning-combobox', { hasText: 'IP Relaxation' });
      await combo.locator('button[role=combobox]').click();
      await combo.locator('[role=option]', { hasText: /^Relax IP restrictions$/ }).click();
      m = await wait(page, (m) => m.marks.some((x) => x.tag === 'lightning-combobox' && x.severity === 'deviation'), 'deviation after the change');
      assert.equal(m.panel.errors, 0);
      assert.equal(m.panel.warnings, 0);
      await page.close();
    });

    test('delphix-crt-eca, Settings in view mode: saved secrets/PKCE off are deviations, nothing wrong', async () => {
      await env.setSettings(DELPHIX);
      const { page } = await open('good', `?app=delphix&expand=1${sq}`);
      const m = await wait(page, (m) => m.marks.length === 3, 'three deviations');
      assert.deepEqual(rulesOf(m), ['pkce', 'secret-refresh-token-flow', 'secret-web-server-flow']);
      assert.ok(m.marks.every((x) => x.severity === 'deviation'));
      await page.close();
    });

    test('veeam-eca, Settings in view and edit mode: saved mistakes are marked', async () => {
      await env.setSettings(VEEAM);
      for (const mode of ['', '&mode=edit']) {
        const { page } = await open('bad', `?tab=settings&expand=1${mode}${sq}`);
        const m = await wait(page, (m) => m.panel.errors === 2, `two errors (${mode || 'view'})`);
        assert.deepEqual(rulesOf(m), ['callback-trailing-slash', 'pkce', 'scope-extra'], mode);
        await page.close();
      }
    });

    test('one app, one state: each tab read is remembered while the admin moves between them (delphix-crt-eca)', async () => {
      await env.setSettings(DELPHIX);
      const { page } = await open('good', `?app=delphix&tab=settings&expand=1${sq}`);
      let m = await wait(page, (m) => m.marks.length === 3, 'settings read');
      // The Policies tab was never shown: its settings are "not open", naming the tab.
      assert.match(m.panelText, /in "Policies", which is not open/);
      await page.locator('[role=tab][data-label="Policies"]').click();
      m = await wait(page, (m) => m.marks.some((x) => x.rules.includes('ip-relaxation')), 'policies read');
      assert.equal(m.marks.find((x) => x.rules.includes('ip-relaxation')).severity, 'deviation');
      assert.ok(!m.marks.some((x) => x.rules.includes('pkce')), 'nothing is marked on the hidden Settings tab');
      // …but the panel shows the whole app: the Settings tab's deviations are remembered.
      const rules = await page.evaluate(() => document.querySelector('eca-guard-panel').dataset.rules.split(' '));
      for (const r of ['pkce', 'secret-web-server-flow', 'secret-refresh-token-flow', 'ip-relaxation']) assert.ok(rules.includes(r), `${r} in ${rules}`);
      assert.doesNotMatch(m.panelText, /which is not open/);
      await page.locator('[role=tab][data-label="Settings"]').click();
      m = await wait(page, (m) => m.marks.length === 3 && !m.marks.some((x) => x.rules.includes('ip-relaxation')), 'back on Settings');
      assert.equal(m.panel.deviations, 4, 'ip-relaxation is still counted');
      await page.close();
    });
  });
}

describe('ECA detail: changed labels and the popup', () => {
  test('a renamed IP Relaxation label: "could not read", unknown in the popup', async () => {
    await env.setSettings(DELPHIX);
    const { page } = await open('changed', '?app=delphix&tab=policies');
    const m = await wait(page, (m) => m.marks.some((x) => x.rules.includes('field-unreadable')), 'unreadable');
    assert.match(m.panelText, /IP RelaxationWarning: ECA Guard could not read it/);
    assert.ok(!m.marks.some((x) => x.rules.includes('ip-relaxation')));
    await page.close();
    const rows = await popupRows(env, 'changed.my.salesforce-setup.com', (r) => r['ip-relaxation']?.couldNotRead);
    assert.equal(rows['ip-relaxation'].status, 'unknown');
  });

  test('popup: IP Relaxation and Permitted Users rows after the Policies tab was read', async () => {
    await env.setSettings(DELPHIX);
    for (const org of ['good', 'bad']) {
      const { page } = await open(org, '?app=delphix&tab=policies');
      await wait(page, (m) => m.marks.some((x) => x.rules.includes('ip-relaxation')), 'policies read');
      await page.close();
    }
    let rows = await popupRows(env, 'good.my.salesforce-setup.com', (r) => r['ip-relaxation']?.status === 'deviation');
    assert.match(rows['ip-relaxation'].text, /Delphix CRT/);
    assert.equal(rows['permitted-users'].status, 'pass'); // admin-approved: Salesforce's baseline
    rows = await popupRows(env, 'bad.my.salesforce-setup.com', (r) => r['ip-relaxation']?.status === 'fail');
    assert.match(rows['ip-relaxation'].text, /Relax IP restrictions/);
  });
});
