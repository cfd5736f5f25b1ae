// Session Settings and Network Access (classic pages in Lightning's Aloha iframe) and the
// action popup's per-org rows, end to end in headless Chromium with the built extension.
// Fixture orgs (tests/fixtures/pages/orgs.mjs): `bad…` misconfigured, `changed…` pages that
// Salesforce changed (renamed/missing labels), anything else correct. The server is 203.0.113.10.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { form, launch, waitMarks } from './harness.mjs';
import { L } from './labels.mjs';
import { alohaFrame, assertRead, classicMarks, perfInFrames, popupRows, watchConsole, waitFor } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const SERVER = '203.0.113.10';
// The Veeam web UI is at a private address the admin's browser returns to; the server reaches
// Salesforce from SERVER. Only server addresses are checked against IP ranges.
const WEB_UI = ['https://10.20.0.5', 'https://veeam.acme.internal'];
const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: WEB_UI, serverAddresses: [SERVER] } };
const DELPHIX = { pack: 'delphix-crt-eca', params: { serverAddresses: [SERVER] } };

const origin = (org) => `https://${org}.my.salesforce-setup.com:${env.server.port}`;

/** Opens a Lightning Setup page and waits until the classic iframe's content is checked. */
async function visit(org, path, { expectPanel = true, query = '' } = {}) {
  const page = await env.ctx.newPage();
  const problems = watchConsole(page);
  await page.goto(origin(org) + path + query);
  if (expectPanel) await classicMarks(page, (m) => m.panel, `${path}: panel in the iframe`);
  return { page, problems };
}

async function visitAll(org, query = '') {
  const pages = [];
  for (const p of ['/lightning/setup/SecuritySession/home', '/lightning/setup/NetworkAccess/home', '/lightning/setup/EnhancedProfiles/page?address=%2F00e5g000000AbCd']) {
    const sep = p.includes('?') ? '&' : '?';
    pages.push(await visit(org, p, { query: query ? sep + query : '' }));
  }
  return pages;
}

describe('Session Settings in the Aloha iframe', () => {
  for (const shadow of ['synthetic', 'native']) {
    test(`veeam-eca: lock to IP on is an error on the checkbox (${shadow} shell)`, async () => {
      await env.setSettings(VEEAM);
      const { page, problems } = await visit('bad', '/lightning/setup/SecuritySession/home', { query: shadow === 'native' ? '?shadow=native' : '' });
      const m = await classicMarks(page, (m) => m.marks.some((x) => x.rules.includes('session-lock-ip')), 'session-lock-ip mark');
      const mark = m.marks.find((x) => x.rules.includes('session-lock-ip'));
      assert.equal(mark.tag, 'input');
      assert.equal(mark.severity, 'error');
      assert.equal(mark.label, 'Lock sessions to the IP address from which they originated');
      assert.equal(m.panel.errors, 1);
      assert.equal(m.marks.length, 1, JSON.stringify(m.marks));
      // The Lightning shell itself has nothing to check: no panel there.
      assert.equal(await page.locator('eca-guard-panel').count(), 0);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }

  test('veeam-eca: lock to IP off is the required deviation; clearing the box fixes the error live', async () => {
    await env.setSettings(VEEAM);
    const { page } = await visit('good', '/lightning/setup/SecuritySession/home');
    let m = await classicMarks(page, (m) => m.marks.length === 1, 'deviation mark');
    assert.equal(m.marks[0].severity, 'deviation');
    assert.deepEqual(m.marks[0].rules, ['session-lock-ip']);
    assert.deepEqual([m.panel.errors, m.panel.deviations], [0, 1]);
    // Tick it: now wrong for Veeam; untick: fixed.
    const frame = page.frames().find((f) => f.name().startsWith('vfFrameId'));
    const box = frame.locator('label', { hasText: 'Lock sessions to the IP address from which they originated' });
    const input = frame.locator(`#${await box.getAttribute('for')}`);
    await input.check();
    m = await classicMarks(page, (m) => m.marks.some((x) => x.severity === 'error'), 'error after ticking');
    assert.equal(m.panel.errors, 1);
    await input.uncheck();
    m = await classicMarks(page, (m) => m.panel.errors === 0 && m.marks.length === 1, 'fixed after unticking');
    assert.equal(m.marks[0].severity, 'deviation');
    await page.close();
  });

  test('Japanese labels (sourced) are read; the panel heads the finding with them', async () => {
    await env.setSettings(VEEAM);
    const { page, problems } = await visit('bad', '/lightning/setup/SecuritySession/home', { query: '?lang=ja' });
    const m = await classicMarks(page, (m) => m.marks.length === 1, 'session-lock-ip mark');
    assert.equal(m.marks[0].label, 'ログイン時の IP アドレスとセッションをロックする');
    assert.deepEqual(m.marks[0].rules, ['session-lock-ip']);
    assert.ok(!m.panel.items.includes('field-unreadable'), m.panel.items.join());
    assert.ok(m.panelText.includes('ログイン時の IP アドレスとセッションをロックするError: It is on'), m.panelText);
    assert.deepEqual(problems, []);
    await page.close();
  });

  for (const lang of ['de', 'fr']) {
    test(`a language without labels (${lang}): labels-unknown in the panel, never an empty one`, async () => {
      await env.setSettings(VEEAM);
      const { page } = await visit('bad', '/lightning/setup/SecuritySession/home', { query: `?lang=${lang}` });
      const m = await classicMarks(page, (m) => m.panel && m.panel.items.includes('labels-unknown'), 'labels-unknown');
      assert.equal(m.marks.length, 0, 'nothing is guessed from unknown labels');
      assert.equal(m.panel.warnings, 1);
      assert.ok(m.panelText.includes(`(${lang})`), m.panelText);
      assert.deepEqual(m.panel.rules, ['labels-unknown'], 'data-rules holds the page-level finding');
      await page.close();
    });
  }

  test('delphix-crt-eca: no session requirement, nothing marked', async () => {
    await env.setSettings(DELPHIX);
    const { page } = await visit('bad', '/lightning/setup/SecuritySession/home');
    const m = await classicMarks(page, (m) => m.panel, 'panel');
    // Nothing marked because nothing is required, not because nothing was read.
    const read = await assertRead(alohaFrame(page), 'session-settings', ['lockSessionsToIp', 'lockSessionsToDomain', 'enforceIpRangesEveryRequest']);
    assert.equal(read.lockSessionsToIp, true, 'the misconfigured org locks sessions to the IP');
    assert.equal(m.marks.length, 0, JSON.stringify(m.marks));
    assert.equal(m.panel.errors, 0);
    await page.close();
  });

  test('changed labels: "could not read" in the panel for what the pack checks, never a pass', async () => {
    await env.setSettings(VEEAM);
    const { page, problems } = await visit('changed', '/lightning/setup/SecuritySession/home');
    const m = await classicMarks(page, (m) => m.panel && m.panel.items.includes('field-unreadable'), 'unreadable');
    assert.equal(m.panel.items.filter((r) => r === 'field-unreadable').length, 1, m.panelText);
    assert.ok(m.panelText.includes('could not read'), m.panelText);
    assert.ok(m.panelText.includes('Lock sessions to the IP address from which they originated'), m.panelText);
    // Veeam has no requirement on "Enforce login IP ranges on every request": its unreadable
    // label is remembered for the popup, not reported as a finding (the CLI does the same).
    assert.ok(!m.panelText.includes('Enforce login IP ranges on every request'), m.panelText);
    assert.ok(!m.marks.some((x) => x.rules.includes('session-lock-ip')), 'a renamed label is not guessed');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('Network Access and profile Login IP Ranges', () => {
  test('trusted ranges and the profile ranges are read and checked (veeam-eca, bad org)', async () => {
    await env.setSettings(VEEAM);
    const { page } = await visit('bad', '/lightning/setup/NetworkAccess/home');
    let m = await classicMarks(page, (m) => m.marks.length, 'trusted range mark');
    assert.equal(m.marks[0].tag, 'table');
    assert.deepEqual(m.marks[0].rules, ['login-ip-range']);
    assert.equal(m.marks[0].severity, 'warning');
    await page.close();
    const p2 = await visit('bad', '/lightning/setup/EnhancedProfiles/page', { query: '?address=%2F00e5g000000AbCd' });
    m = await classicMarks(p2.page, (m) => m.marks.length, 'login range mark');
    assert.equal(m.marks[0].severity, 'error');
    assert.equal(m.panel.errors, 1);
    await p2.page.close();
  });

  test('callback addresses are not server addresses, and a private server address is never an error', async () => {
    for (const serverAddresses of [[], ['192.168.1.20']]) {
      await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: [`https://${SERVER}`, ...WEB_UI], serverAddresses } });
      const { page } = await visit('bad', '/lightning/setup/EnhancedProfiles/page', { query: '?address=%2F00e5g000000AbCd' });
      const m = await classicMarks(page, (m) => m.panel, 'panel');
      assert.equal(m.panel.errors, 0, `${serverAddresses}: ${JSON.stringify(m)}`);
      assert.equal(m.marks.filter((k) => k.severity === 'error').length, 0, JSON.stringify(m.marks));
      await page.close();
    }
  });

  for (const lang of ['ja', 'fr']) {
    test(`${lang}: the ranges are read (ja by its sourced titles, fr by what the columns hold) and still checked`, async () => {
      await env.setSettings(VEEAM);
      const { page } = await visit('bad', '/lightning/setup/NetworkAccess/home', { query: `?lang=${lang}` });
      const m = await classicMarks(page, (m) => m.marks.length, 'trusted range mark');
      assert.deepEqual(m.marks[0].rules, ['login-ip-range']);
      assert.ok(!m.panel.items.includes('field-unreadable'), m.panelText);
      // No labels known in French: said so, although the list was read by structure.
      assert.equal(m.panel.rules.includes('labels-unknown'), lang === 'fr', m.panel.rules.join());
      await page.close();
      const p2 = await visit('bad', '/lightning/setup/EnhancedProfiles/page', { query: `?address=%2F00e5g000000AbCd&lang=${lang}` });
      const m2 = await classicMarks(p2.page, (m) => m.marks.length, 'login range mark');
      assert.equal(m2.marks[0].severity, 'error');
      await p2.page.close();
    });
  }

  test('correct org: nothing marked', async () => {
    await env.setSettings(VEEAM);
    for (const [p, field] of [['/lightning/setup/NetworkAccess/home', 'trustedIpRanges'], ['/lightning/setup/EnhancedProfiles/page?address=%2F00e5g000000AbCd', 'loginIpRanges']]) {
      const { page } = await visit('good', p);
      const m = await classicMarks(page, (m) => m.panel, 'panel');
      // Nothing marked because the ranges are right, not because none were read.
      const read = await assertRead(alohaFrame(page), 'network-access', [field]);
      assert.ok(read[field].length >= 1, `${p}: ${JSON.stringify(read)}`);
      assert.equal(m.marks.length, 0, `${p}: ${JSON.stringify(m.marks)}`);
      await page.close();
    }
  });
});

describe('popup', () => {
  test('misconfigured org (veeam-eca): fails where it should, with why, source and Setup link', async () => {
    await env.setSettings(VEEAM);
    for (const { page } of await visitAll('bad')) await page.close();
    const rows = await popupRows(env, 'bad.my.salesforce-setup.com', (r) => r['login-ip-range']?.status === 'fail');
    assert.equal(rows['session-lock-ip'].status, 'fail');
    assert.equal(rows['session-lock-domain'].status, 'pass');
    assert.match(rows['session-lock-domain'].text, /No requirement from Veeam/);
    assert.match(rows['session-lock-domain'].text, /Currently: On/);
    assert.equal(rows['session-enforce-ip-ranges'].status, 'pass');
    assert.equal(rows['login-ip-range'].status, 'fail');
    assert.match(rows['login-ip-range'].text, /203\.0\.113\.10 is outside/);
    assert.equal(rows['ip-relaxation'], undefined, 'no IP Relaxation row: not known and no Veeam requirement');
    assert.equal(new URL(rows['session-lock-ip'].setup).pathname, '/lightning/setup/SecuritySession/home');
    assert.equal(new URL(rows['login-ip-range'].setup).pathname, '/lightning/setup/NetworkAccess/home');
    assert.ok(rows['login-ip-range'].setupAll.some((u) => new URL(u).pathname === '/lightning/setup/EnhancedProfiles/home'));
    assert.match(rows['session-lock-ip'].source, /veeam\.com/);
  });

  test('correct org (veeam-eca): passes, and lock-to-IP off shows as a deviation', async () => {
    await env.setSettings(VEEAM);
    for (const { page } of await visitAll('good')) await page.close();
    const rows = await popupRows(env, 'good.my.salesforce-setup.com', (r) => r['login-ip-range']?.status === 'pass');
    assert.equal(rows['session-lock-ip'].status, 'deviation');
    assert.equal(rows['session-lock-domain'].status, 'pass');
    assert.equal(rows['session-enforce-ip-ranges'].status, 'pass');
    assert.equal(rows['login-ip-range'].status, 'pass');
  });

  test('badge on any Setup page of the org shows its failing checks', async () => {
    await env.setSettings(VEEAM);
    for (const { page } of await visitAll('bad')) await page.close();
    const page = await env.ctx.newPage();
    await page.goto(origin('bad') + '/lightning/setup/ManageExternalClientApplication/home');
    const text = await waitFor(async () => {
      const t = await env.worker().evaluate(async (u) => {
        const tabs = await chrome.tabs.query({});
        const tab = tabs.find((t) => t.url === u);
        return tab ? chrome.action.getBadgeText({ tabId: tab.id }) : null;
      }, page.url());
      return t === '2' ? t : null;
    }, 'badge 2');
    assert.equal(text, '2');
    await page.close();
  });

  test('the popup finds the org from a tab id (?tab=) too, and says which profile was read', async () => {
    await env.setSettings(VEEAM);
    const [{ page }] = await visitAll('bad').then((ps) => (ps.slice(0, 2).forEach((p) => p.page.close()), ps.slice(2)));
    const tabId = await env.worker().evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u).id, page.url());
    const pop = await env.ctx.newPage();
    await pop.goto(`chrome-extension://${env.extId}/popup/popup.html?tab=${tabId}`);
    await pop.waitForSelector('body[data-ready]');
    assert.equal(await pop.locator('[data-rule="session-lock-ip"]').getAttribute('data-status'), 'fail');
    const profile = pop.locator('[data-rule="login-ip-range"] [data-field="loginIpRanges"] a');
    assert.match(await profile.getAttribute('href'), /EnhancedProfiles\/page\?address=%2F00e5g000000AbCd/);
    await pop.close();
    await page.close();
  });

  test('badge on the New ECA form: the org\'s failing checks plus the form\'s own errors', async () => {
    await env.setSettings(VEEAM);
    const org = 'badform';
    const { page: s } = await visit(org, '/lightning/setup/SecuritySession/home');
    await classicMarks(s, (m) => m.marks.length === 1, 'session read');
    await s.close();
    const page = await env.ctx.newPage();
    await page.goto(origin(org) + '/lightning/setup/ManageExternalClientApplication/new');
    await page.waitForSelector('eca-guard-panel');
    const text = await waitFor(async () => {
      const t = await env.worker().evaluate(async (u) => {
        const tab = (await chrome.tabs.query({})).find((t) => t.url === u);
        return tab ? chrome.action.getBadgeText({ tabId: tab.id }) : null;
      }, page.url());
      return t === '2' ? t : null; // session-lock-ip (org) + oauth-disabled (form)
    }, 'badge 2');
    assert.equal(text, '2');
    const title = () =>
      env.worker().evaluate(async (u) => {
        const tab = (await chrome.tabs.query({})).find((t) => t.url === u);
        return chrome.action.getTitle({ tabId: tab.id });
      }, page.url());
    assert.match(await title(), /^ECA Guard: 2 to fix: 1 error in this page's ECA Guard panel, and 1 failing org check \(.+\): click for the list\.$/);
    // With OAuth on, the form has more errors: the badge counts exactly the panel's errors plus
    // the org check, one count (not distinct rule ids).
    await form.check(page, L.en.oauth, true);
    const m = await waitMarks(page, (m) => m.panel && m.panel.errors > 2, 'OAuth section errors');
    const want = String(m.panel.errors + 1);
    await waitFor(async () => {
      const t = await env.worker().evaluate(async (u) => {
        const tab = (await chrome.tabs.query({})).find((t) => t.url === u);
        return chrome.action.getBadgeText({ tabId: tab.id });
      }, page.url());
      return t === want ? t : null;
    }, `badge ${want}`);
    assert.match(await title(), new RegExp(`^ECA Guard: ${want} to fix: ${m.panel.errors} errors in this page's ECA Guard panel`));
    await page.close();
  });

  test('unvisited org: unknown rows with the Setup link', async () => {
    await env.setSettings(VEEAM);
    const rows = await popupRows(env, 'fresh.my.salesforce-setup.com', (r) => r['session-lock-ip']);
    for (const rule of ['session-lock-ip', 'session-lock-domain', 'session-enforce-ip-ranges', 'login-ip-range']) {
      assert.equal(rows[rule].status, 'unknown', rule);
      assert.match(rows[rule].text, /not read yet/i);
      assert.match(rows[rule].setup, /^https:\/\/fresh\.my\.salesforce-setup\.com\/lightning\/setup\//);
    }
  });

  test('changed pages: unknown rows with a visible "could not read" note', async () => {
    await env.setSettings(VEEAM);
    for (const { page } of await visitAll('changed')) await page.close();
    const rows = await popupRows(env, 'changed.my.salesforce-setup.com', (r) => r['login-ip-range']?.couldNotRead);
    assert.equal(rows['session-lock-ip'].status, 'unknown');
    assert.ok(rows['session-lock-ip'].couldNotRead, 'visible could-not-read note');
    assert.equal(rows['session-enforce-ip-ranges'].status, 'unknown');
    assert.equal(rows['session-lock-domain'].status, 'pass'); // that label did not change
    assert.equal(rows['login-ip-range'].status, 'unknown');
  });

  test('sandbox: kind, refresh warning and API host note', async () => {
    await env.setSettings(VEEAM);
    const page = await env.ctx.newPage();
    await page.goto(`chrome-extension://${env.extId}/popup/popup.html?host=acme--uat.sandbox.my.salesforce-setup.com`);
    await page.waitForSelector('body[data-ready]');
    assert.equal(await page.locator('[data-kind]').textContent(), 'sandbox');
    assert.match(await page.locator('[data-note="sandbox-refresh"]').textContent(), /refresh/);
    assert.match(await page.locator('[data-note="api-host"]').textContent(), /acme--uat\.sandbox\.my\.salesforce\.com/);
    await page.close();
  });

  test('delphix-crt-eca on the misconfigured org: session rows have no requirement', async () => {
    await env.setSettings(DELPHIX);
    const rows = await popupRows(env, 'bad.my.salesforce-setup.com', (r) => r['session-lock-ip']);
    assert.equal(rows['session-lock-ip'].status, 'pass');
    assert.match(rows['session-lock-ip'].text, /No requirement from Delphix/);
    assert.equal(rows['login-ip-range'].status, 'fail');
  });
});

describe('frames', () => {
  test('a cross-origin frame and a classic frame that reloads mid-read: no console errors', async () => {
    await env.setSettings(VEEAM);
    const page = await env.ctx.newPage();
    const problems = watchConsole(page);
    // The fixture does reload the frame (tests/fixtures/static/aloha.js): each reload is a new
    // navigation request of the Aloha iframe.
    let loads = 0;
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame().name().startsWith('vfFrameId')) loads++;
    });
    await page.goto(origin('bad') + '/lightning/setup/SecuritySession/home?crossframe=1&reloadFrame=40&reloadTimes=5');
    await page.waitForTimeout(1200);
    // Not an exact count: reloads 40 ms apart can cancel one another before their request goes
    // out (5 of 6 seen on an idle machine, fewer under load); without any reload there is one.
    assert.ok(loads >= 2, `the Aloha iframe loaded ${loads} times: it did not reload`);
    const m = await classicMarks(page, (m) => m.marks.length === 1, 'mark after the reloads');
    assert.equal(m.marks[0].severity, 'error');
    assert.ok(page.frames().some((f) => f.url().includes('lightning.force.com')), 'cross-origin frame loaded');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('idle: no content-script work while nothing changes', async () => {
    await env.setSettings(VEEAM);
    const { page } = await visit('bad', '/lightning/setup/SecuritySession/home');
    await classicMarks(page, (m) => m.marks.length === 1, 'checked');
    await page.waitForTimeout(400); // the load settles (pageshow, the worker's reply)
    const runs = (perf) => Object.values(perf).reduce((n, p) => n + p.detect.n + p.read.n + p.paint.n, 0);
    const before = await perfInFrames(env, page);
    assert.ok(Object.keys(before).length >= 2, 'top frame and Aloha iframe both have the content script');
    await page.waitForTimeout(2000);
    const after = await perfInFrames(env, page);
    assert.equal(runs(after) - runs(before), 0, JSON.stringify({ before, after }));
    await page.close();
  });

  test('Lightning re-creates the Aloha iframe: the new one is read', async () => {
    await env.setSettings(VEEAM);
    const page = await env.ctx.newPage();
    const problems = watchConsole(page);
    const detached = [];
    page.on('framedetached', (f) => detached.push(f.name()));
    await page.goto(origin('bad') + '/lightning/setup/SecuritySession/home?recreateFrame=300');
    const first = await waitFor(() => alohaFrame(page)?.name(), 'the first Aloha iframe');
    await page.waitForTimeout(900);
    // The fixture did replace the frame (tests/fixtures/static/aloha.js), and the mark is the new one's.
    const now = alohaFrame(page);
    assert.ok(detached.includes(first), `the first frame (${first}) was not removed: ${JSON.stringify(detached)}`);
    assert.notEqual(now.name(), first, 'the Aloha iframe was not re-created');
    const m = await classicMarks(page, (m) => m.marks.length === 1, 'mark in the new frame');
    assert.equal(alohaFrame(page), now, 'marks read in the new frame');
    assert.equal(m.marks[0].severity, 'error');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
