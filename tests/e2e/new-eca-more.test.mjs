// The New External Client App form beyond the first packs: the newer settings (flows, the JWT
// bearer certificate, refresh token rotation, JWT access tokens, DPoP) read and marked; a
// collapsed section says which settings it hides; languages without sourced labels are read by
// structure and say so (labels-unknown), never an empty panel; `data-rules` on the panel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { byLabel, form, launch, panelView, waitMarks } from './harness.mjs';
import { L } from './labels.mjs';
import { NEW_SETTINGS, settingsFor } from './test-packs.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'], salesforceIdp: false } };
const rulesOf = (m, label) => byLabel(m, label)?.rules ?? [];
const errors = (m) => m.marks.filter((x) => x.severity === 'error');

async function openForm(query) {
  const page = await env.ctx.newPage();
  page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
  await page.goto(env.formUrl(query));
  return page;
}

describe('newer settings on the form', () => {
  for (const shadow of ['synthetic', 'native']) {
    test(`each is read and marked, and the mark goes when it is fixed (${shadow})`, async () => {
      const t = L.en;
      await env.setSettings(settingsFor(NEW_SETTINGS));
      const page = await openForm(shadow === 'native' ? { shadow } : {});
      await form.check(page, t.oauth, true);
      let m = await waitMarks(page, (m) => byLabel(m, t.dpop) && byLabel(m, t.jwt), 'marks of the newer settings');
      assert.deepEqual(rulesOf(m, t.jwt), ['jwt-bearer-flow']);
      assert.deepEqual(rulesOf(m, t.rotation), ['refresh-token-rotation']);
      assert.deepEqual(rulesOf(m, t.jwtTokens), ['jwt-access-tokens']);
      assert.deepEqual(rulesOf(m, t.dpop), ['dpop']);
      for (const l of [t.clientCred, t.device, t.tokenExchange]) assert.equal(byLabel(m, l), undefined, `${l} is off, as the pack asks`);

      for (const l of [t.clientCred, t.device, t.tokenExchange]) await form.check(page, l, true);
      m = await waitMarks(page, (m) => byLabel(m, t.tokenExchange) && byLabel(m, t.device) && byLabel(m, t.clientCred), 'flows turned on');
      assert.deepEqual(rulesOf(m, t.device), ['device-flow']);
      assert.deepEqual(rulesOf(m, t.tokenExchange), ['token-exchange-flow']);
      assert.deepEqual(rulesOf(m, t.clientCred), ['client-credentials-flow']);

      // The JWT bearer flow on without a certificate: the upload is marked (it fails at sign-in).
      await form.check(page, t.jwt, true);
      const cert = (m) => m.marks.find((x) => x.tag === 'lightning-input' && x.rules.includes('jwt-bearer-flow') && x.label !== t.jwt);
      m = await waitMarks(page, (m) => !byLabel(m, t.jwt) && cert(m), 'certificate missing');
      assert.equal(cert(m).severity, 'error');
      await page.locator('input[type=file]').setInputFiles({ name: 'server.crt', mimeType: 'application/x-x509-ca-cert', buffer: Buffer.from('not a real certificate') });
      m = await waitMarks(page, (m) => !cert(m), 'certificate uploaded');

      for (const l of [t.rotation, t.jwtTokens, t.dpop]) await form.check(page, l, true);
      for (const l of [t.clientCred, t.device, t.tokenExchange]) await form.check(page, l, false);
      m = await waitMarks(page, (m) => m.panel.errors === 0, 'all fixed');
      assert.deepEqual(errors(m), []);
      await page.close();
    });
  }
});

describe('a collapsed section', () => {
  for (const shadow of ['synthetic', 'native']) {
    test(`names the section it hides, and is checked once opened (${shadow})`, async () => {
      await env.setSettings(VEEAM);
      const page = await openForm({ collapsed: 'security', ...(shadow === 'native' ? { shadow } : {}) });
      await form.check(page, L.en.oauth, true);
      let m = await waitMarks(page, (m) => m.panel && m.panel.items.includes('section-hidden'), 'section-hidden');
      assert.equal(byLabel(m, L.en.pkce), undefined, 'nothing in the closed section is marked');
      assert.ok(m.panel.rules.includes('section-hidden'));
      const text = (await panelView(page)).text;
      assert.match(text, /in "Security", which is not open/);
      assert.match(text, /Open "Security"/);
      await page.getByRole('button', { name: 'Security', exact: true }).click();
      m = await waitMarks(page, (m) => byLabel(m, L.en.pkce) && !m.panel.items.includes('section-hidden'), 'checked once open');
      assert.deepEqual(rulesOf(m, L.en.pkce), ['pkce']);
      await page.close();
    });
  }
});

describe('languages without sourced labels: read by structure, and said so', () => {
  const cases = [
    ['fr', 'synthetic'], ['fr', 'native'], ['de', 'synthetic'], ['es', 'synthetic'], ['pt_BR', 'synthetic'], ['ko', 'native'],
  ];
  for (const [lang, shadow] of cases) {
    test(`${lang} (${shadow}): labels-unknown, and scopes, callback and PKCE still checked`, async () => {
      const t = L[lang];
      await env.setSettings(VEEAM);
      const page = await openForm({ lang, ...(shadow === 'native' ? { shadow } : {}) });
      // A new form, OAuth off: the warning, never an empty panel.
      let m = await waitMarks(page, (m) => m.panel && m.panel.rules.includes('labels-unknown'), 'labels-unknown');
      const langShown = lang === 'pt_BR' ? 'pt_BR' : lang;
      assert.match((await panelView(page)).text, new RegExp(`\\(${langShown}\\)`));
      // Enable OAuth is the form's first checkbox (docs/salesforce-dom.md): off is an error.
      assert.deepEqual(rulesOf(m, t.oauth), ['oauth-disabled']);
      await form.check(page, t.oauth, true);
      m = await waitMarks(page, (m) => byLabel(m, t.pkce) && byLabel(m, t.scopes) && byLabel(m, t.callback), 'structural marks');
      assert.deepEqual(rulesOf(m, t.pkce), ['pkce']);
      assert.deepEqual(rulesOf(m, t.scopes), ['scope-missing']);
      assert.deepEqual(rulesOf(m, t.callback), ['callback-missing']);
      assert.equal(byLabel(m, t.secretWeb), undefined, 'the secret before PKCE is read (on, as Veeam needs)');
      await form.type(page, t.callback, 'https://veeam.acme.internal');
      await form.moveScopes(page, t.scopes, ['full', 'refresh_token']);
      await form.check(page, t.pkce, false);
      m = await waitMarks(page, (m) => m.panel.errors === 0 && byLabel(m, t.pkce)?.severity === 'deviation', 'fixed');
      assert.deepEqual(m.panel.rules.sort(), ['labels-unknown', 'pkce']);
      assert.equal(m.panel.warnings, 1);
      await page.close();
    });
  }
});

test('data-rules lists every current finding\'s rule, page-level ones included', async () => {
  await env.setSettings(VEEAM);
  const page = await openForm({ lang: 'fr' });
  await form.check(page, L.fr.oauth, true);
  const m = await waitMarks(page, (m) => m.panel && m.panel.rules.includes('pkce'), 'findings');
  assert.deepEqual([...new Set(m.panel.items)].sort(), [...m.panel.rules].sort());
  assert.ok(m.panel.rules.includes('labels-unknown'));
  await page.close();
});
