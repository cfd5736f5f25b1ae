// The evidence report ("Copy checklist", "Download report") from the page panel's buttons and
// from the popup, compared with what the page and the popup show; the popup's rows: no
// requirement apart from pass, Setup's words for values, a heading per row, dark mode contrast.
//
// The panel: the buttons sit in its closed shadow root, which Playwright cannot query; one test
// clicks the panel's own Copy button with the mouse (at the place the panel's test view gives),
// the others mount the same buttons from ECA Guard's content-script world into the page (the
// code path is the panel's: the content script's port, the worker, the core, the page origin's
// clipboard and a Blob download).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { form, inContentScript, launch, panelView, waitMarks } from './harness.mjs';
import { L } from './labels.mjs';
import { classicMarks, waitFor } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'], serverAddresses: ['203.0.113.10'] } };
const ORG = 'acme.my.salesforce-setup.com';
const origin = () => `https://${ORG}:${env.server.port}`;
const DETAIL = '/lightning/setup/ManageExternalClientApplication/0xIfj0000009EQL/detail';
const norm = (s) => s.replace(/\s+/g, ' ').trim();

const tabIdOf = (page) => env.worker().evaluate(async (url) => (await chrome.tabs.query({})).find((t) => t.url === url).id, page.url());

/** Reads the org's Session Settings and the app's policies (the popup's rows), then opens the
 * New ECA form (with a query value in its address) and fills it: a callback line ending in a
 * slash, PKCE off (Veeam's deviation); returns the form's page. */
async function setUp() {
  await env.setSettings(VEEAM);
  const s = await env.ctx.newPage();
  await s.goto(`${origin()}/lightning/setup/SecuritySession/home`);
  await classicMarks(s, (m) => m.panel, 'Session Settings checked');
  await s.goto(`${origin()}${DETAIL}?tab=policies&expand=1`);
  await waitFor(() => s.evaluate(() => !!document.querySelector('eca-guard-panel')), 'detail page checked');
  await s.close();
  const page = await env.ctx.newPage();
  await page.goto(env.formUrl({ sid: '00Dxx!secret-session' }));
  await form.check(page, L.en.oauth, true);
  await form.type(page, L.en.callback, 'https://veeam.acme.internal/');
  await form.check(page, L.en.pkce, false); // Veeam's deviation
  await waitMarks(page, (m) => m.panel && m.panel.rules.includes('callback-trailing-slash') && m.panel.deviations > 0, 'a slash and a deviation');
  return page;
}

/** The popup for `query`, reloaded until its rows satisfy `pred` (readings are saved just after
 * a check). */
async function openPopup(query, pred = () => true) {
  const popup = await env.ctx.newPage();
  await waitFor(async () => {
    await popup.goto(`chrome-extension://${env.extId}/popup/popup.html?${query}`);
    await popup.waitForSelector('body[data-ready]');
    return popup.evaluate(pred);
  }, `popup rows (${query})`);
  return popup;
}
const HAS_POLICY = () => !!document.querySelector('li.row[data-rule="permitted-users"] .value');

async function clipboardOf(page) {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Clicks "Download report" → `format` in `root` (a page or a locator); returns the file. */
async function download(page, root, format) {
  await root.locator('button[data-export="download"]').click();
  const [dl] = await Promise.all([page.waitForEvent('download'), root.locator(`button[role="menuitem"][data-format="${format}"]`).click()]);
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

/** The report holds what the page's panel shows: every finding's rule and message. */
function assertMatchesPanel(report, view, rules) {
  assert.equal(report.format, 'eca-guard-report/1');
  assert.equal(report.pack.id, 'veeam-eca');
  assert.equal(report.org.host, ORG);
  assert.equal(report.page.kind, 'new-eca');
  assert.match(report.page.url, /\/lightning\/setup\/ManageExternalClientApplication\/new$/, 'no query string');
  assert.match(report.generatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual([...new Set(report.findings.map((f) => f.rule))].sort(), [...rules].sort());
  for (const f of report.findings) {
    assert.ok(norm(view.text).includes(norm(f.message)), `the panel shows "${f.message}"`);
    assert.ok(f.source.url.startsWith('https://') && f.source.title, JSON.stringify(f));
  }
  const dev = report.deviations.find((d) => d.rule === 'pkce');
  assert.ok(dev && /PKCE code challenge/.test(dev.reason), JSON.stringify(report.deviations));
  const lock = report.orgChecks.find((c) => c.rule === 'session-lock-ip');
  assert.equal(lock.readings[0].from, `${origin()}/lightning/setup/SecuritySession/home`);
  assert.match(lock.readings[0].readAt, /Z$/);
}

describe('evidence report', () => {
  test('from the panel: the checklist is copied and the report downloaded, holding what the panel shows', async () => {
    const page = await setUp();
    await env.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    // Mount the buttons from the content script's world (see the file's comment).
    await inContentScript(env, page, `(() => {
      const host = document.createElement('div');
      host.id = 'eca-guard-test-exports';
      host.style.cssText = 'position:fixed;top:0;left:0;z-index:2147483647;background:#fff';
      host.append(globalThis.ecaGuard.exportButtons());
      document.body.append(host);
      return true;
    })()`);
    const box = page.locator('#eca-guard-test-exports');
    const view = await panelView(page);
    // The page's own script clicking the buttons gets nothing: no copy, no menu, no download.
    await page.evaluate(() => navigator.clipboard.writeText('untouched'));
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.evaluate(() => {
      for (const b of document.querySelectorAll('#eca-guard-test-exports button')) b.click();
    });
    await page.waitForTimeout(500);
    assert.equal(await clipboardOf(page), 'untouched');
    assert.equal(downloads, 0);
    assert.equal(await box.locator('[role="menu"]').isHidden(), true);
    const rules = await page.evaluate(() => document.querySelector('eca-guard-panel').dataset.rules.split(' '));

    await box.locator('button[data-export="copy"]').click();
    await waitFor(() => box.locator('.export-status').textContent().then((t) => /copied/i.test(t)), 'copied');
    const md = await clipboardOf(page);
    assert.match(md, /^# ECA Guard report: Veeam Backup for Salesforce 3\.2 and later/);
    for (const r of rules) assert.ok(md.includes(`(\`${r}\`)`), `${r} in the checklist`);
    assert.match(md, /- \[ \] \*\*Error\*\* · \*\*Callback URL\*\* \(`callback-trailing-slash`\)/);
    assert.ok(!md.includes('secret-session') && !md.includes('sid='), 'no query value of the address');

    const json = await download(page, box, 'json');
    assert.match(json.name, /^eca-guard-acme-veeam-eca-\d{8}T\d{6}Z\.json$/);
    assertMatchesPanel(JSON.parse(json.text), view, rules);
    const mdFile = await download(page, box, 'markdown');
    assert.match(mdFile.name, /\.md$/);
    assert.equal(mdFile.text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'T'), md.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'T'));
    await page.close();
  });

  test("the panel's own Copy checklist button, clicked, copies the report of what the panel shows", async () => {
    const page = await setUp();
    await env.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    await page.evaluate(() => navigator.clipboard.writeText('untouched'));
    let view = await panelView(page);
    if (!view.card.shown) {
      await page.mouse.click(view.chip.rect.x + view.chip.rect.w / 2, view.chip.rect.y + view.chip.rect.h / 2);
      view = await waitFor(async () => {
        const v = await panelView(page);
        return v.card.shown && v.exports.copy ? v : null;
      }, 'the panel opened');
    }
    assert.equal(view.exports.present, true);
    assert.ok(view.exports.copy, 'the Copy checklist button is in the panel');
    const r = view.exports.copy;
    await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
    await waitFor(async () => /copied/i.test((await panelView(page)).exports.status), 'copied, the panel says');
    const md = await clipboardOf(page);
    assert.match(md, /^# ECA Guard report: Veeam Backup for Salesforce 3\.2 and later/);
    for (const rule of view.items) assert.ok(md.includes(`(\`${rule}\`)`), `${rule} in the checklist`);
    await page.close();
  });

  test('from the popup: the same report for the tab, and the org rows as the popup shows them', async () => {
    const page = await setUp();
    const id = await tabIdOf(page);
    const view = await panelView(page);
    const rules = await page.evaluate(() => document.querySelector('eca-guard-panel').dataset.rules.split(' '));
    // Extension origins take no permission grant; the clipboard is read from the Setup page.
    await env.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    const popup = await openPopup(`tab=${id}`, HAS_POLICY);
    const box = popup.locator('#exports');

    await box.locator('button[data-export="copy"]').click();
    await waitFor(() => box.locator('.export-status').textContent().then((t) => /copied/i.test(t)), 'copied');
    await page.bringToFront();
    const md = await clipboardOf(page);
    assert.match(md, /^# ECA Guard report/);
    for (const r of rules) assert.ok(md.includes(`(\`${r}\`)`), `${r} in the checklist`);
    await popup.bringToFront();

    const report = JSON.parse((await download(popup, box, 'json')).text);
    assertMatchesPanel(report, view, rules);
    // Each popup row is in the report with its verdict, and what it read in the same words.
    const rows = await popup.evaluate(() =>
      [...document.querySelectorAll('li.row')].map((r) => ({ rule: r.dataset.rule, status: r.dataset.status, none: r.dataset.requirement === 'none', text: r.innerText }))
    );
    assert.ok(rows.length >= 4);
    for (const row of rows) {
      const c = report.orgChecks.find((x) => x.rule === row.rule);
      assert.ok(c, `${row.rule} in the report`);
      assert.equal(c.status, row.status);
      assert.equal(c.noRequirement, row.none);
      for (const r of c.readings) assert.ok(row.text.includes(r.shown), `${row.rule}: "${r.shown}" shown`);
      assert.ok(md.includes(`(\`${row.rule}\`)`), `${row.rule} in the checklist`);
    }
    await popup.close();
    await page.close();
  });

  test('a worker stopped while idle still reports the page it checked (storage.session)', async () => {
    const page = await setUp();
    const id = await tabIdOf(page);
    const rules = await page.evaluate(() => document.querySelector('eca-guard-panel').dataset.rules.split(' '));
    await page.waitForTimeout(600); // the latest check is saved 300 ms after it
    const cdp = await env.ctx.browser().newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.includes(env.extId));
    await cdp.send('Target.closeTarget', { targetId: sw.targetId });
    await cdp.detach();
    const popup = await openPopup(`tab=${id}`);
    const report = JSON.parse((await download(popup, popup.locator('#exports'), 'json')).text);
    assert.equal(report.page && report.page.kind, 'new-eca');
    assert.deepEqual([...new Set(report.findings.map((f) => f.rule))].sort(), [...rules].sort());
    await popup.close();
    await page.close();
  });
});

describe('popup rows', () => {
  test('no requirement apart from pass, Setup\'s words for values, a heading per row', async () => {
    await (await setUp()).close();
    const popup = await openPopup(`host=${ORG}`, HAS_POLICY);
    const rows = await popup.evaluate(() =>
      [...document.querySelectorAll('li.row')].map((r) => ({
        rule: r.dataset.rule,
        status: r.dataset.status,
        requirement: r.dataset.requirement || null,
        pill: r.querySelector('.status').textContent,
        heading: r.querySelector('h2') && r.querySelector('h2').textContent,
        text: r.innerText,
      }))
    );
    // Veeam sets no Permitted Users requirement: "No requirement", kept as data-status pass.
    const users = rows.find((r) => r.rule === 'permitted-users');
    assert.ok(users, JSON.stringify(rows));
    assert.deepEqual([users.status, users.requirement, users.pill], ['pass', 'none', 'No requirement']);
    assert.match(users.text, /Currently: (All users may self-authorize|Admin approved users are pre-authorized)/);
    // A real pass or deviation says so, and is not marked as without requirement.
    for (const r of rows.filter((r) => r.requirement === null)) assert.notEqual(r.pill, 'No requirement');
    // Setup's labels, never the API's values.
    const all = rows.map((r) => r.text).join('\n');
    for (const raw of ['AllSelfAuthorized', 'AdminApprovedPreAuthorized', 'Bypass_2factor', 'Enforce_RelaxRefresh', 'SpecificInactivity']) {
      assert.ok(!all.includes(raw), `raw value ${raw} shown`);
    }
    // One heading per row, named for its setting (screen readers jump between them).
    const headings = await popup.getByRole('heading', { level: 2 }).allTextContents();
    assert.equal(headings.length, rows.length);
    for (const r of rows) assert.ok(r.heading && r.heading.length > 3, JSON.stringify(r));
    await popup.close();
  });

  for (const scheme of ['light', 'dark']) {
    test(`${scheme} scheme: every text has a WCAG contrast of at least 4.5`, async () => {
      await (await setUp()).close();
      const popup = await openPopup(`host=${ORG}`, HAS_POLICY);
      await popup.emulateMedia({ colorScheme: scheme });
      const pairs = await popup.evaluate(() => {
        const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
        const bgOf = (e) => {
          for (let x = e; x; x = x.parentElement) {
            const c = rgb(getComputedStyle(x).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
          if (e.closest('[hidden]') || !e.getClientRects().length) continue;
          const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
          if (!own) continue;
          out.push({ text: e.textContent.trim().slice(0, 40), fg: rgb(getComputedStyle(e).color).slice(0, 3), bg: bgOf(e) });
        }
        return { out, body: getComputedStyle(document.body).backgroundColor };
      });
      const lum = ([r, g, b]) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ratio = (a, b) => {
        const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
      };
      const dark = lum(pairs.body.match(/[\d.]+/g).slice(0, 3).map(Number)) < 0.1;
      assert.equal(dark, scheme === 'dark', `the body follows the ${scheme} scheme (${pairs.body})`);
      assert.ok(pairs.out.length > 20, `texts checked: ${pairs.out.length}`);
      for (const p of pairs.out) assert.ok(ratio(p.fg, p.bg) >= 4.5, `"${p.text}" ${p.fg} on ${p.bg}: ${ratio(p.fg, p.bg).toFixed(2)}`);
      await popup.close();
    });
  }
});
