// The ECA detail page as the base components render it: the newer settings (flows, the JWT
// bearer certificate, rotation, JWT access tokens, DPoP; Run As, assigned profiles and permission
// sets, the 30-day idle limit) read and marked on both tabs, in view and edit mode and both
// shadow modes; the collapsed OAuth Settings section; Japanese labels; a language without labels;
// scopes on one line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, panelView } from './harness.mjs';
import { assertRead, watchConsole, waitFor } from './org-harness.mjs';
import { LANGS } from '../fixtures/pages/i18n-eca.mjs';
import { NEW_SETTINGS, settingsFor } from './test-packs.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const PATH = '/lightning/setup/ManageExternalClientApplication/0xIfj0000009EQL/detail';
const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://203.0.113.10', 'https://veeam.acme.internal'] } };
const DELPHIX = { pack: 'delphix-crt-eca', params: {} };
const t = LANGS.en;

/** Marks anywhere (open shadow roots too): [{label, severity, rules}], and the panel. */
const MARKS = () => {
  const deep = (root, sel) => {
    const out = root.shadowRoot && root.localName !== 'eca-guard-panel' ? deep(root.shadowRoot, sel) : [];
    out.push(...root.querySelectorAll(sel));
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot && e.localName !== 'eca-guard-panel') out.push(...deep(e.shadowRoot, sel));
    return out;
  };
  const labelOf = (e) => {
    const l = deep(e, 'span[part="label"], .slds-form-element__label, [data-form-label]')[0];
    return l ? l.textContent.replace(/\s+/g, ' ').trim() : e.localName;
  };
  const p = document.querySelector('eca-guard-panel');
  return {
    marks: deep(document, '[data-eca-guard]').map((e) => ({ label: labelOf(e), severity: e.getAttribute('data-eca-guard'), rules: e.getAttribute('data-eca-guard-rules').split(' ') })),
    panel: p && { errors: +p.dataset.errors, warnings: +p.dataset.warnings, deviations: +p.dataset.deviations, rules: p.dataset.rules.split(' ').filter(Boolean) },
  };
};

async function open(org, query) {
  const page = await env.ctx.newPage();
  const problems = watchConsole(page);
  await page.goto(`https://${org}.my.salesforce-setup.com:${env.server.port}${PATH}${query}`);
  return { page, problems };
}

async function wait(page, pred, what) {
  return waitFor(async () => {
    const m = await page.evaluate(MARKS);
    if (!m.panel) return null;
    m.panelText = ((await panelView(page)) || { text: '' }).text;
    m.items = ((await panelView(page)) || { items: [] }).items;
    return pred(m) ? m : null;
  }, what);
}
const rulesAt = (m, label) => (m.marks.find((x) => x.label === label) || { rules: [] }).rules;

describe('newer settings on the detail page', () => {
  const SETTINGS_MARKS = {
    [t.certificate]: ['jwt-bearer-flow'],
    [t.device]: ['device-flow'],
    [t.tokenExchange]: ['token-exchange-flow'],
    [t.rotation]: ['refresh-token-rotation'],
    [t.jwtTokens]: ['jwt-access-tokens'],
    [t.dpop]: ['dpop'],
    [t.clientCred]: ['client-credentials-flow'],
  };
  const POLICY_MARKS = {
    [t.runAs]: ['client-credentials-user'],
    [t.profiles]: ['permitted-users-assignment'],
    [t.refreshPolicy]: ['refresh-token-policy'],
    [t.idle]: ['refresh-token-policy'],
  };
  const variants = [
    ['synthetic', 'view', ''],
    ['native', 'view', '&shadow=native'],
    ['synthetic', 'view, disabled checkboxes', '&bool=disabled'],
    ['synthetic', 'edit', '&mode=edit'],
    ['native', 'edit', '&mode=edit&shadow=native'],
  ];
  for (const [shadow, mode, q] of variants) {
    test(`Settings and Policies tabs (${shadow}, ${mode})`, async () => {
      await env.setSettings(settingsFor(NEW_SETTINGS));
      const { page, problems } = await open('bad', `?app=sfcli&expand=1${q}`);
      let m = await wait(page, (m) => Object.keys(SETTINGS_MARKS).every((l) => rulesAt(m, l).length), 'settings marks');
      for (const [label, rules] of Object.entries(SETTINGS_MARKS)) assert.deepEqual(rulesAt(m, label), rules, label);
      assert.equal(rulesAt(m, t.jwt).length, 0, 'the JWT bearer flow is on, as the pack asks');
      await page.locator('[role=tab][data-label="Policies"]').click();
      m = await wait(page, (m) => Object.keys(POLICY_MARKS).every((l) => rulesAt(m, l).length), 'policy marks');
      for (const [label, rules] of Object.entries(POLICY_MARKS)) assert.deepEqual(rulesAt(m, label), rules, label);
      // The Settings tab's findings stay in the panel (one app, one state).
      for (const r of ['dpop', 'device-flow', 'jwt-bearer-flow']) assert.ok(m.panel.rules.includes(r), r);
      assert.deepEqual(problems, []);
      await page.close();
      // The same app set right: none of these rules.
      const good = await open('good', `?app=sfcli&expand=1&tab=policies${q}`);
      await wait(good.page, () => true, 'good app');
      await good.page.locator('[role=tab][data-label="Settings"]').click();
      m = await wait(good.page, (m) => !/which is not open/.test(m.panelText), 'both tabs read');
      // No error because every setting the pack asks about was read right, not because none was.
      await assertRead(good.page.mainFrame(), 'eca-detail', ['oauthEnabled', 'clientCredentialsFlow', 'jwtBearerFlow', 'deviceFlow', 'tokenExchangeFlow', 'refreshTokenRotation', 'jwtAccessTokens', 'dpop', 'refreshTokenPolicy']);
      assert.deepEqual(m.marks.filter((x) => x.severity === 'error'), []);
      assert.equal(m.panel.errors, 0, m.panelText);
      await good.page.close();
    });
  }
});

describe('the collapsed OAuth Settings section', () => {
  for (const [what, q] of [['body rendered, hidden', ''], ['body rendered when opened', '&collapsed=lazy'], ['native shadow', '&shadow=native']]) {
    test(`says what it hides, and is checked once opened (${what})`, async () => {
      await env.setSettings(VEEAM);
      const { page } = await open('bad', `?tab=settings${q}`);
      let m = await wait(page, (m) => m.panel.rules.includes('section-hidden'), 'section-hidden');
      assert.equal(m.marks.length, 0);
      assert.match(m.panelText, /in "OAuth Settings", which is not open/);
      await page.getByRole('button', { name: 'OAuth Settings', exact: true }).click();
      m = await wait(page, (m) => m.panel.errors === 2, 'settings checked');
      assert.deepEqual(m.marks.flatMap((x) => x.rules).sort(), ['callback-trailing-slash', 'pkce', 'scope-extra']);
      assert.ok(!m.panel.rules.includes('section-hidden') || /Policies/.test(m.panelText));
      await page.close();
    });
  }
});

describe('languages', () => {
  test('Japanese: the page\'s own labels are read and head the findings; its option labels map to values', async () => {
    await env.setSettings(DELPHIX);
    const ja = LANGS.ja;
    const { page } = await open('good', '?app=delphix&lang=ja&tab=policies');
    let m = await wait(page, (m) => m.panel.rules.includes('ip-relaxation'), 'ip-relaxation');
    assert.deepEqual(rulesAt(m, ja.ipRelaxation), ['ip-relaxation']);
    assert.equal(m.marks.find((x) => x.label === ja.ipRelaxation).severity, 'deviation', '「IP 制限の緩和」 is Bypass');
    // The panel heads the setting's findings with the page's own label; the message says "it".
    assert.ok(m.panelText.includes(`${ja.ipRelaxation}Deviation: It is`), m.panelText);
    await page.locator('[role=tab][data-label="設定"]').click();
    await page.getByRole('button', { name: ja.oauthSettings, exact: true }).click();
    m = await wait(page, (m) => rulesAt(m, ja.pkce).length, 'pkce');
    assert.equal(m.marks.find((x) => x.label === ja.pkce).severity, 'deviation');
    assert.ok(m.panelText.includes(`${ja.pkce}Deviation: It is off`), m.panelText);
    assert.ok(!m.panel.rules.includes('labels-unknown'));
    await page.close();
  });

  for (const shadow of ['synthetic', 'native']) {
    test(`French (no labels known, ${shadow}): labels-unknown, scopes and PKCE read by structure`, async () => {
      await env.setSettings(VEEAM);
      const { page } = await open('bad', `?lang=fr&expand=1${shadow === 'native' ? '&shadow=native' : ''}`);
      let m = await wait(page, (m) => m.panel.rules.includes('pkce') && m.panel.rules.includes('scope-extra'), 'structural findings');
      assert.ok(m.panel.rules.includes('labels-unknown'));
      assert.ok(m.panel.rules.includes('callback-trailing-slash'), 'the callback before the scopes');
      assert.deepEqual(rulesAt(m, LANGS.fr.pkce), ['pkce']);
      await page.locator('[role=tab][data-label="Stratégies"]').click();
      m = await wait(page, (m) => m.panel.rules.includes('labels-unknown') && m.panel.rules.includes('pkce'), 'policies tab');
      assert.equal(m.marks.length, 0, 'nothing on the Policies tab is guessed');
      await page.close();
    });
  }
});

test('scopes shown on one comma-separated line are read one by one', async () => {
  await env.setSettings(VEEAM);
  const { page } = await open('bad', '?expand=1&scopes=line');
  const m = await wait(page, (m) => m.panel.rules.includes('scope-extra'), 'scope-extra');
  assert.equal(m.items.filter((r) => r === 'scope-extra').length, 1, 'only web is extra');
  assert.ok(!m.panel.rules.includes('scope-missing'), 'full and refresh_token are there');
  await page.close();
});
