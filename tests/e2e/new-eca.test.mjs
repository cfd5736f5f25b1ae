// The New External Client App form, end to end: the built extension in headless Chromium marks
// the wrong controls (contract attributes and panel counts) as the form is filled wrongly, and
// clears them as each field is fixed. One scenario per pack, across both shadow modes and the
// German locale.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { byLabel, form, inContentScript, launch, marks, panelView, waitMarks } from './harness.mjs';
import { waitFor } from './org-harness.mjs';
import { L } from './labels.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const rulesOf = (m, label) => byLabel(m, label)?.rules ?? [];
const severityOf = (m, label) => byLabel(m, label)?.severity ?? null;
/** Marks of severity error or warning (deviations are correct settings, flagged on purpose). */
const problems = (m) => m.marks.filter((x) => x.severity === 'error' || x.severity === 'warning');

async function openForm(query) {
  const page = await env.ctx.newPage();
  page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
  await page.goto(env.formUrl(query));
  return page;
}

const MODES = [
  { name: 'synthetic shadow, English', query: {}, lang: 'en' },
  { name: 'native shadow, English', query: { shadow: 'native' }, lang: 'en' },
  // Japanese: labels sourced (extension/content/labels.js), except Distribution State's.
  { name: 'synthetic shadow, Japanese', query: { lang: 'ja' }, lang: 'ja' },
  { name: 'native shadow, Japanese', query: { lang: 'ja', shadow: 'native' }, lang: 'ja' },
];

describe('veeam-eca', () => {
  for (const mode of MODES) {
    test(`marks and clears every wrong field (${mode.name})`, async () => {
      const t = L[mode.lang];
      await env.setSettings({
        pack: 'veeam-eca',
        params: { callbackUrls: ['https://veeam.acme.internal', 'https://172.12.0.1'], salesforceIdp: false },
      });
      const page = await openForm(mode.query);

      // A new form: OAuth is off, so only that is wrong.
      let m = await waitMarks(page, (m) => m.panel && byLabel(m, t.oauth), 'oauth-disabled');
      assert.deepEqual(rulesOf(m, t.oauth), ['oauth-disabled']);
      assert.equal(severityOf(m, t.oauth), 'error');
      assert.equal(m.panel.errors, 1);
      assert.equal(m.marks.length, 1, JSON.stringify(m.marks));

      // Japanese: no sourced label for Distribution State, so it is "could not read", not guessed.
      const ja = mode.lang === 'ja';
      if (ja) {
        assert.ok(m.panel.items.includes('field-unreadable'), m.panel.items.join());
        assert.match((await panelView(page)).text, /knows no "ja" label/);
      } else {
        await form.pick(page, t.dist, t.packaged);
        m = await waitMarks(page, (m) => byLabel(m, t.dist), 'distribution-state');
        assert.deepEqual(rulesOf(m, t.dist), ['distribution-state']);
      }

      await form.check(page, t.oauth, true);
      m = await waitMarks(page, (m) => !byLabel(m, t.oauth) && byLabel(m, t.callback), 'OAuth section checks');
      assert.deepEqual(rulesOf(m, t.callback), ['callback-missing']);
      assert.deepEqual(rulesOf(m, t.scopes), ['scope-missing']);
      assert.deepEqual(rulesOf(m, t.pkce), ['pkce']);
      assert.equal(severityOf(m, t.pkce), 'error');
      assert.equal(byLabel(m, t.secretWeb), undefined, 'secret for web server flow is on, as Veeam needs');
      assert.equal(m.panel.errors, ja ? 3 : 4); // distribution, callback, the 2 scopes (one finding), pkce
      // The panel heads the setting's findings with the page's own label, in its language; the
      // message says "it".
      assert.ok((await panelView(page)).text.includes(`${t.pkce}Error: It is on`));

      // Wrong callbacks, typed key by key: a trailing slash and plain http on a non-loopback host.
      await form.type(page, t.callback, 'https://veeam.acme.internal/\nhttp://172.12.0.1');
      m = await waitMarks(page, (m) => rulesOf(m, t.callback).includes('callback-scheme'), 'callback rules');
      assert.ok(rulesOf(m, t.callback).includes('callback-trailing-slash'), rulesOf(m, t.callback).join());
      assert.ok(!rulesOf(m, t.callback).includes('callback-missing'));

      // One needed scope and one it does not need.
      await form.moveScopes(page, t.scopes, ['full', 'web']);
      m = await waitMarks(page, (m) => rulesOf(m, t.scopes).includes('scope-extra'), 'scope-extra');
      assert.deepEqual(rulesOf(m, t.scopes).sort(), ['scope-extra', 'scope-missing']);
      assert.ok(m.panel.warnings >= 1);

      // Fix everything.
      await form.fill(page, t.callback, 'https://veeam.acme.internal\nhttps://172.12.0.1');
      await form.moveScopes(page, t.scopes, ['web'], false);
      await form.moveScopes(page, t.scopes, ['refresh_token']);
      await form.check(page, t.pkce, false);
      if (!ja) await form.pick(page, t.dist, t.local);
      m = await waitMarks(page, (m) => problems(m).length === 0 && m.panel.errors === 0, 'all fixed');
      assert.equal(m.panel.errors, 0);
      assert.equal(m.panel.warnings, ja ? 1 : 0); // ja: Distribution State not read
      // PKCE off is what Veeam needs but weaker than Salesforce's baseline: a deviation, not an error.
      assert.equal(severityOf(m, t.pkce), 'deviation');
      assert.deepEqual(rulesOf(m, t.pkce), ['pkce']);
      assert.equal(m.panel.deviations, 1);
      assert.deepEqual(
        m.marks.map((x) => x.label),
        [t.pkce],
        'only the deviation stays marked'
      );

      // The action badge shows this tab's error count (now none). It follows the marks once
      // the page has been quiet for a moment (worker/org.js: badge IPCs wait until after typing).
      const badgeNow = () =>
        env.worker().evaluate(async (url) => {
          const [tab] = await chrome.tabs.query({ url: url.split('?')[0] + '*' });
          return chrome.action.getBadgeText({ tabId: tab.id });
        }, page.url());
      let badge = await badgeNow();
      for (const end = Date.now() + 3000; badge !== '' && Date.now() < end; badge = await badgeNow()) await page.waitForTimeout(50);
      assert.equal(badge, '');
      await page.close();
    });
  }
});

describe('delphix-crt-eca', () => {
  for (const mode of [MODES[1], MODES[0]]) {
    test(`needs the loopback callback, code-and-credentials flow, no secrets, no PKCE (${mode.name})`, async () => {
      const t = L[mode.lang];
      await env.setSettings({ pack: 'delphix-crt-eca', params: {} });
      const page = await openForm(mode.query);
      await form.check(page, t.oauth, true);
      let m = await waitMarks(page, (m) => byLabel(m, t.callback) && byLabel(m, t.codeCred), 'delphix findings');
      assert.deepEqual(rulesOf(m, t.callback), ['callback-missing']);
      assert.deepEqual(rulesOf(m, t.codeCred), ['code-credentials-flow']);
      assert.deepEqual(rulesOf(m, t.secretWeb), ['secret-web-server-flow']);
      assert.deepEqual(rulesOf(m, t.secretRefresh), ['secret-refresh-token-flow']);
      assert.deepEqual(rulesOf(m, t.pkce), ['pkce']);
      assert.deepEqual(rulesOf(m, t.scopes), ['scope-missing']);
      assert.equal(byLabel(m, t.dist), undefined, 'Delphix has no distribution rule');
      // Badge: one per error finding (the 3 missing scopes are one finding that names them).
      assert.equal(m.panel.errors, 1 + 1 + 1 + 1 + 1 + 1);
      const scopes = (await panelView(page)).text;
      for (const n of ['(api)', '(refresh_token, offline_access)', '(sfap_api)']) assert.ok(scopes.includes(n), scopes);

      await form.type(page, t.callback, 'http://localhost:33333/');
      m = await waitMarks(page, (m) => rulesOf(m, t.callback).includes('callback-trailing-slash'), 'trailing slash');
      await form.moveScopes(page, t.scopes, ['api', 'refresh_token', 'sfap_api', 'full']);
      m = await waitMarks(page, (m) => rulesOf(m, t.scopes).join() === 'scope-extra', 'only full is extra');
      assert.equal(severityOf(m, t.scopes), 'warning');

      await form.fill(page, t.callback, 'http://localhost:33333');
      await form.moveScopes(page, t.scopes, ['full'], false);
      await form.check(page, t.codeCred, true);
      await form.check(page, t.secretWeb, false);
      await form.check(page, t.secretRefresh, false);
      await form.check(page, t.pkce, false);
      m = await waitMarks(page, (m) => problems(m).length === 0 && m.panel.errors === 0, 'all fixed');
      assert.equal(m.panel.warnings, 0);
      // Three required deviations from Salesforce's baseline, each marked as such.
      assert.equal(m.panel.deviations, 3);
      for (const l of [t.secretWeb, t.secretRefresh, t.pkce]) assert.equal(severityOf(m, l), 'deviation', l);
      assert.equal(m.marks.length, 3);
      await page.close();
    });
  }
});

describe('veeam-connected-app', () => {
  test('Salesforce as identity provider requires openid; no ECA-only rules apply (Japanese)', async () => {
    const t = L.ja;
    await env.setSettings({
      pack: 'veeam-connected-app',
      params: { callbackUrls: ['https://veeam.acme.internal'], salesforceIdp: true },
    });
    const page = await openForm({ lang: 'ja' });
    await form.check(page, t.oauth, true);
    let m = await waitMarks(page, (m) => byLabel(m, t.scopes), 'scopes');
    assert.equal(byLabel(m, t.dist), undefined, 'no distribution rule for a Connected App');
    assert.equal(byLabel(m, t.pkce), undefined, 'no PKCE rule for a Connected App');
    assert.deepEqual(rulesOf(m, t.callback), ['callback-missing']);
    assert.equal(m.panel.errors, 2); // callback, and one finding for full, refresh_token and openid

    await form.moveScopes(page, t.scopes, ['full', 'refresh_token']);
    // Still two errors: the one scope-missing finding now names openid alone.
    const missing = async () => ((await panelView(page)) || { groups: [] }).groups.flatMap((g) => g.findings).find((f) => f.rule === 'scope-missing');
    const end = Date.now() + 5000;
    while (Date.now() < end && /\(full\)/.test((await missing())?.text || '(full)')) await page.waitForTimeout(30);
    assert.match((await missing()).text, /"[^"]*\(openid\)" is not selected/);
    m = await waitMarks(page, (m) => m.panel.errors === 2, 'openid still missing');
    assert.deepEqual(rulesOf(m, t.scopes), ['scope-missing']);

    await form.moveScopes(page, t.scopes, ['openid']);
    await form.type(page, t.callback, 'https://veeam.acme.internal');
    m = await waitMarks(page, (m) => m.marks.length === 0, 'no marks');
    assert.deepEqual([m.panel.errors, m.panel.warnings, m.panel.deviations], [0, 0, 0]);
    await page.close();
  });
});

describe("a mistake in ECA Guard's own options", () => {
  test('is said to be in the options, with a link to them, and never asked for on the form', async () => {
    const t = L.en;
    // Stored before the options page checked callbacks (or set by a policy): a final slash
    // Veeam never sends.
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal/'] } });
    const page = await openForm({});
    await form.check(page, t.oauth, true);
    await form.type(page, t.callback, 'https://veeam.acme.internal');
    const m = await waitMarks(page, (m) => rulesOf(m, t.callback).includes('options-invalid'), 'options-invalid');
    assert.ok(!rulesOf(m, t.callback).includes('callback-mismatch'), 'the form does not ask for the slashed URL');
    assert.ok(!rulesOf(m, t.callback).includes('callback-trailing-slash'));
    const view = await panelView(page);
    assert.match(view.text, /In the callback URLs ECA Guard was given \(its options, or --callback\): Line 1 \(https:\/\/veeam\.acme\.internal\/\) ends with a slash/);
    assert.match(view.text, /Open ECA Guard's options/);
    // Corrected in the options: the note goes, and the form's line is right as typed.
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
    const after = await waitMarks(page, (m) => !rulesOf(m, t.callback).includes('options-invalid'), 'options corrected');
    assert.deepEqual(rulesOf(after, t.callback), []);
    await page.close();
  });
});

describe('page life cycle', () => {
  test('in-page navigation: the panel comes with the form and goes with it', async () => {
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
    const page = await env.ctx.newPage();
    await page.goto(`${env.origin}/lightning/setup/ManageExternalClientApplication/home`);
    await page.waitForTimeout(300);
    let m = await marks(page);
    assert.equal(m.panel, null, 'no panel on the list page');
    await page.getByText('New External Client App').click();
    m = await waitMarks(page, (m) => m.panel && m.marks.length === 1, 'form after pushState');
    assert.equal(page.url().endsWith('/new'), true);
    await page.getByText('Cancel', { exact: true }).click();
    m = await waitMarks(page, (m) => m.panel === null && m.marks.length === 0, 'panel removed');
    await page.close();
  });

  test('a settings change re-checks the open page without any input', async () => {
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
    const page = await openForm({});
    await form.pick(page, L.en.dist, L.en.packaged);
    await form.check(page, L.en.oauth, true);
    let m = await waitMarks(page, (m) => byLabel(m, L.en.dist) && byLabel(m, L.en.pkce), 'veeam marks');
    assert.equal(byLabel(m, L.en.codeCred), undefined);
    await env.setSettings({ pack: 'delphix-crt-eca', params: {} });
    m = await waitMarks(page, (m) => byLabel(m, L.en.codeCred) && !byLabel(m, L.en.dist), 'delphix marks after recheck');
    assert.deepEqual(rulesOf(m, L.en.codeCred), ['code-credentials-flow']);
    await page.close();
  });

  test('no pack chosen: the panel says so and marks nothing', async () => {
    await env.worker().evaluate(() => chrome.storage.local.remove('ecaGuard'));
    const page = await openForm({});
    await waitFor(async () => ((await panelView(page)) || { text: '' }).text.includes('Choose the integration'), 'the panel asking for a pack');
    const m = await marks(page);
    assert.equal(m.marks.length, 0);
    assert.equal(m.panel.errors, 0);
    await page.close();
  });

  test('an idle page costs nothing: no reads, no messages while nothing changes', async () => {
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
    for (const shadow of ['synthetic', 'native']) {
      const page = await openForm(shadow === 'native' ? { shadow } : {});
      await form.check(page, L.en.oauth, true);
      await waitMarks(page, (m) => byLabel(m, L.en.callback), 'marks');
      await page.waitForTimeout(300);
      const reads = () => inContentScript(env, page, 'ecaGuard.perf.read.n');
      const before = await reads();
      await page.waitForTimeout(1500);
      assert.equal(await reads(), before, `content script kept reading an idle page (${shadow})`);
      // …and one keystroke is one read.
      await page.locator('textarea').first().press('a');
      await page.waitForTimeout(300);
      const after = (await reads()) - before;
      assert.equal(after, 1, `reads after one keystroke: ${after} (${shadow})`);
      await page.close();
    }
  });

  test('the fixture really forbids Wasm in the page (as Setup does)', async () => {
    const page = await openForm({});
    const outcome = await page.evaluate(async () => {
      try {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return 'compiled';
      } catch (e) {
        return e.name;
      }
    });
    assert.equal(outcome, 'CompileError');
    await page.close();
  });
});

describe('bad input', () => {
  test('a control whose checkbox cannot be found is reported unreadable, not guessed', async () => {
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
    for (const shadow of ['synthetic', 'native']) {
      const page = await openForm({ break: 'isPkceRequired', ...(shadow === 'native' ? { shadow } : {}) });
      await form.check(page, L.en.oauth, true);
      const m = await waitMarks(page, (m) => byLabel(m, L.en.pkce) && byLabel(m, L.en.callback), `unreadable (${shadow})`);
      assert.deepEqual(rulesOf(m, L.en.pkce), ['field-unreadable'], shadow);
      assert.equal(severityOf(m, L.en.pkce), 'warning');
      assert.ok(!m.panel.items.includes('pkce'), 'no PKCE verdict without a value');
      await page.close();
    }
  });

  test('a callback field over 2,000 characters is marked invalid', async () => {
    await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
    const page = await openForm({});
    await form.check(page, L.en.oauth, true);
    const lines = ['https://veeam.acme.internal'];
    for (let i = 0; lines.join('\n').length <= 2100; i++) lines.push(`https://host-${i}.acme.example/callback`);
    await form.fill(page, L.en.callback, lines.join('\n'));
    const m = await waitMarks(page, (m) => rulesOf(m, L.en.callback).includes('callback-invalid'), 'callback-invalid');
    assert.equal(severityOf(m, L.en.callback), 'error');
    await form.fill(page, L.en.callback, 'https://veeam.acme.internal');
    await waitMarks(page, (m) => !byLabel(m, L.en.callback), 'callback fixed');
    await page.close();
  });
});
