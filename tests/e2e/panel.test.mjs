// The page panel (content/paint.js, panel-layout.js, panel-list.js, panel-progress.js) and the
// marks' accessibility (content/marks.js), in headless Chromium:
// - it never sits over Setup's own controls: hit tests (elementFromPoint at the centre of each
//   Save, New, Create and Cancel button and of the scopes lists, on the New ECA form, the ECA
//   detail page in edit mode, the classic Connected App edit page, Network Access and Session
//   Settings) at 1024 and 1280 px, open and collapsed, docked left and right;
// - collapsed to a chip and docked, both remembered across loads;
// - findings grouped by setting, messages that say the pack's name and a long label once, one
//   finding for the missing scopes, notes behind a disclosure, the progress line;
// - the marked inputs' aria-invalid and aria-describedby (the page's own ids kept), the
//   accessibility tree (CDP Accessibility.getFullAXTree, which includes the closed shadow root),
//   the live region;
// - keyboard: a finding's button focuses its field, Escape collapses, the shortcut (run through
//   the worker as a key press would: headless key events never reach the browser's shortcuts);
// - dark mode: other colours, and text at a WCAG contrast of at least 4.5:1 in both schemes.
// The panel's shadow root is closed: what it shows is read in ECA Guard's content-script world
// (harness.mjs panelView → content/panel-view.js).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EXT, control, form, launch, panelView } from './harness.mjs';
import { alohaFrame, waitFor } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal', 'https://203.0.113.10'], serverAddresses: ['203.0.113.10'] } };
const PKCE = 'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows';
const PACK_NAME = 'Veeam Backup for Salesforce 3.2 and later';

/** The user's panel preference as the worker keeps it (worker/panel.js); null: never chosen. */
async function setPrefs(prefs) {
  await env.worker().evaluate((p) => (p ? chrome.storage.local.set({ ecaGuardPanel: p }) : chrome.storage.local.remove('ecaGuardPanel')), prefs);
}
const storedPrefs = () => env.worker().evaluate(() => chrome.storage.local.get('ecaGuardPanel').then((r) => r.ecaGuardPanel || null));

/** The pages of the hit tests: where the panel is (the top page, or Setup's iframe) and the
 * Salesforce controls it must leave free. */
const PAGES = [
  {
    name: 'New ECA form',
    path: '/lightning/setup/ManageExternalClientApplication/new',
    prepare: (page) => form.check(page, 'Enable OAuth', true),
    targets: `[...document.querySelectorAll('button[data-action=create], button[data-action=cancel], lightning-dual-listbox ul[role=listbox]')]`,
    count: 4,
  },
  {
    name: 'ECA detail, edit mode',
    path: '/lightning/setup/ManageExternalClientApplication/0xI000000000001AAA/detail?mode=edit&expand=1',
    targets: `[...document.querySelectorAll('button[data-action=save], button[data-action=cancel], lightning-dual-listbox ul[role=listbox]')]`,
    count: 4,
  },
  {
    name: 'Connected App edit (classic)',
    path: '/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppEdit.apexp',
    frame: true,
    targets: `[...document.querySelectorAll('input.btn[value=Save], input.btn[value=Cancel], select[multiple]')]`,
    count: 4,
  },
  {
    name: 'Network Access (classic)',
    path: '/lightning/setup/NetworkAccess/home',
    frame: true,
    targets: `[...document.querySelectorAll('input.btn[name=new]')]`,
    count: 1,
  },
  {
    name: 'Session Settings (classic)',
    path: '/lightning/setup/SecuritySession/home',
    frame: true,
    targets: `[...document.querySelectorAll('input.btn[name=save], input.btn[name=cancel]')]`,
    count: 4, // above and below the settings
  },
];

async function openPage(path, { width = 1280, org = 'bad', query = '' } = {}) {
  const page = await env.ctx.newPage();
  await page.setViewportSize({ width, height: 800 });
  await page.goto(`https://${org}.my.salesforce-setup.com:${env.server.port}${path}${query}`);
  return page;
}

/** The frame that shows ECA Guard's panel: Setup's iframe for a classic page, else the page. */
async function guardFrame(page, framed) {
  if (!framed) return page.mainFrame();
  return waitFor(() => alohaFrame(page), 'the classic iframe');
}

/** The panel once it is placed and no new placement is due. */
async function placed(page, frame, pred = () => true, what = 'the panel placed') {
  return waitFor(async () => {
    const v = await panelView(page, frame);
    return v && v.layout.placed && v.layout.settled && pred(v) ? v : null;
  }, what, 8000);
}

/** For each target of `spec` in `frame`: scrolled into view, then what is at its centre once the
 * panel has placed itself again. */
async function hitTest(page, frame, spec) {
  const n = await frame.evaluate(`${spec.targets}.length`);
  assert.equal(n, spec.count, `${spec.name}: the controls to hit`);
  const out = [];
  for (let i = 0; i < n; i++) {
    await frame.evaluate(`${spec.targets}[${i}].scrollIntoView({ block: 'center', inline: 'center' })`);
    await page.waitForTimeout(200); // a scroll places the panel again 120 ms after it stops
    const v = await placed(page, frame);
    const hit = await frame.evaluate(`(() => {
      const el = ${spec.targets}[${i}];
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const at = document.elementFromPoint(x, y);
      return { what: el.localName + (el.value ? '[' + el.value.trim() + ']' : el.textContent.trim() ? '[' + el.textContent.trim().slice(0, 20) + ']' : ''),
        x, y, at: at ? at.localName : null, ours: !!at && el.contains(at), inView: x >= 0 && y >= 0 && x < innerWidth && y < innerHeight };
    })()`);
    out.push({ ...hit, panel: v.layout.placed, rect: v.layout.rect });
  }
  return out;
}

/** The panel shows somewhere in the window (never moved off-screen to pass a hit test). */
async function onScreen(frame, rect) {
  const vp = await frame.evaluate(() => ({ w: innerWidth, h: innerHeight }));
  return rect && rect.x >= 0 && rect.y >= 0 && rect.x + rect.w <= vp.w && rect.y + rect.h <= vp.h;
}

const STATES = [
  { name: 'as first installed (open on a top page, collapsed in a frame, docked left)', prefs: null },
  { name: 'open, docked left', prefs: { open: true, dock: 'left' } },
  { name: 'open, docked right', prefs: { open: true, dock: 'right' } },
  { name: 'collapsed, docked right', prefs: { open: false, dock: 'right' } },
];

for (const width of [1024, 1280]) {
  describe(`never over Setup's own controls at ${width} px`, () => {
    for (const state of STATES) {
      test(state.name, async () => {
        await env.setSettings(VEEAM);
        await setPrefs(state.prefs);
        const problems = [];
        for (const spec of PAGES) {
          const page = await openPage(spec.path, { width });
          if (spec.prepare) await spec.prepare(page);
          const frame = await guardFrame(page, spec.frame);
          const v = await placed(page, frame, (v) => v.groups.length > 0 || v.items.length > 0, `${spec.name}: the panel`);
          assert.ok(await onScreen(frame, v.layout.rect), `${spec.name}: the panel is in the window ${JSON.stringify(v.layout)}`);
          if (state.prefs === null) {
            // Open on a top page, beside it where the page can narrow for it (else the chip,
            // which says so); collapsed in a frame.
            const expect = spec.frame ? v.layout.placed === 'chip' && !v.layout.open : v.layout.open && (v.layout.placed === 'beside' || (v.layout.placed === 'chip' && v.layout.noRoom));
            assert.ok(expect, `${spec.name}: ${JSON.stringify(v.layout)}`);
            if (width >= 1280 && !spec.frame) assert.equal(v.layout.placed, 'beside', `${spec.name} at ${width} px`);
          }
          for (const h of await hitTest(page, frame, spec)) {
            if (!h.inView || !h.ours) problems.push(`${spec.name}: ${h.what} at (${Math.round(h.x)}, ${Math.round(h.y)}) hits ${h.at}; panel ${h.panel} ${JSON.stringify(h.rect)}`);
          }
          await page.close();
        }
        assert.deepEqual(problems, []);
      });
    }
  });
}

describe('collapsed and docked, remembered', () => {
  test('Hide collapses to a chip, the chip opens, the dock button moves it; each is kept for the next load', async () => {
    await env.setSettings(VEEAM);
    await setPrefs(null);
    const page = await openPage('/lightning/setup/ManageExternalClientApplication/new');
    const main = page.mainFrame();
    let v = await placed(page, main, (v) => v.card.shown);
    assert.equal(v.layout.dock, 'left');
    assert.match(v.layout.reserved, /margin-left: \d+px/, 'room made beside the page');
    const click = (r) => page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);

    await click(v.buttons.hide);
    v = await placed(page, main, (v) => v.chip.shown);
    assert.equal(v.card.shown, false);
    assert.equal(v.layout.reserved, '', 'a chip takes no room from the page');
    assert.match(v.chip.label, /^ECA Guard: 1 error\. Show the findings$/);
    assert.deepEqual(await storedPrefs(), { open: false });
    await page.reload();
    v = await placed(page, main);
    assert.ok(v.chip.shown && !v.card.shown, 'still collapsed after a reload');

    await click(v.chip.rect);
    v = await placed(page, main, (v) => v.card.shown);
    assert.equal(v.focus && v.focus.class, 'go', 'the focus moves to the first finding');
    assert.deepEqual(await storedPrefs(), { open: true });
    assert.equal(v.buttons.dockLabel, 'Dock right');
    await click(v.buttons.dock);
    v = await placed(page, main, (v) => v.layout.dock === 'right');
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    assert.ok(v.layout.rect.x + v.layout.rect.w > width - 20, `at the right edge: ${JSON.stringify(v.layout.rect)}`);
    assert.match(v.layout.reserved, /margin-right/);
    assert.deepEqual(await storedPrefs(), { open: true, dock: 'right' });
    await page.reload();
    v = await placed(page, main, (v) => v.card.shown);
    assert.equal(v.layout.dock, 'right', 'still docked right after a reload');
    await page.close();
    await setPrefs(null);
  });

  test('where the page leaves no room, a remembered open panel shows as the chip; a click opens it over the page, and says so', async () => {
    await env.setSettings(VEEAM);
    await setPrefs({ open: true, dock: 'right' });
    // The classic Connected App page is wider than Setup's iframe at 1024 px: nothing narrows it.
    const page = await openPage(PAGES[2].path, { width: 1024 });
    const frame = await guardFrame(page, true);
    let v = await placed(page, frame);
    assert.equal(v.layout.placed, 'chip', JSON.stringify(v.layout));
    assert.equal(v.layout.noRoom, true);
    assert.match(v.chip.title, /No room beside this page at this width/);
    const box = await page.locator('iframe[name^=vfFrameId]').boundingBox();
    await page.mouse.click(box.x + v.chip.rect.x + v.chip.rect.w / 2, box.y + v.chip.rect.y + v.chip.rect.h / 2);
    v = await placed(page, frame, (v) => v.card.shown);
    assert.equal(v.layout.placed, 'overlay');
    assert.ok(v.card.overlay);
    assert.match(v.text, /No room beside this page: this covers part of it\. Hide or Escape closes it\./);
    await page.keyboard.press('Escape');
    v = await placed(page, frame, (v) => v.chip.shown);
    assert.equal(v.focus && v.focus.class, 'chip', 'Escape leaves the focus on the chip');
    await page.close();
    await setPrefs(null);
  });
});

/** The findings the panel shows, by heading. */
const findingsOf = (v) => v.groups.flatMap((g) => g.findings.map((f) => ({ ...f, heading: g.heading })));

describe('findings by setting, progress, notes', () => {
  test('one heading per setting; the pack and a long label said once; the missing scopes one finding; notes behind a disclosure; "N of M fixed"', async () => {
    await env.setSettings(VEEAM);
    await setPrefs(null);
    const page = await openPage('/lightning/setup/ManageExternalClientApplication/new');
    const main = page.mainFrame();
    let v = await placed(page, main, (v) => v.items.includes('oauth-disabled'));
    assert.equal(v.progress, '0 of 1 fixed since this page loaded');

    await form.check(page, 'Enable OAuth', true);
    // The OAuth section's findings count once they have stayed (panel-progress.js).
    v = await placed(page, main, (v) => v.progress.startsWith('1 of 4 fixed'), '1 of 4 fixed');
    await page.waitForTimeout(1800); // until they count (panel-progress.js SETTLE_MS)
    assert.deepEqual(
      v.groups.map((g) => [g.heading, g.findings.map((f) => f.rule)]),
      [
        ['Callback URL', ['callback-missing']],
        ['Selected OAuth Scopes', ['scope-missing']],
        [PKCE, ['pkce']],
      ]
    );
    const scopes = findingsOf(v).find((f) => f.rule === 'scope-missing');
    assert.match(scopes.text, /^Error: "Full access \(full\)" and "Perform requests at any time \(refresh_token, offline_access\)" are not selected; this integration needs them\.$/);
    assert.equal(scopes.fix, 'Fix: Move them from Available OAuth Scopes to Selected OAuth Scopes.');
    const count = (hay, needle) => hay.split(needle).length - 1;
    assert.equal(count(v.text, PACK_NAME), 1, 'the pack is named once, in the header');
    assert.equal(count(v.text, PKCE), 1, 'the long label is said once, as its heading');
    const pkce = findingsOf(v).find((f) => f.rule === 'pkce');
    assert.match(pkce.text, /^Error: It is on; this integration needs it off\./);
    assert.equal(pkce.fix, 'Fix: Clear it.');
    assert.ok(v.notes && !v.notes.open, 'notes are closed until opened');
    assert.equal(v.notes.summary, 'Notes (3)');
    assert.match(v.text, /up to 10 minutes/);
    assert.ok(findingsOf(v).every((f) => f.button), 'each finding of a setting is a button');

    // Opening the notes: the card's list scrolled to its end with the wheel, a click on the summary.
    await page.mouse.move(v.card.rect.x + v.card.rect.w / 2, v.card.rect.y + v.card.rect.h - 40);
    await page.mouse.wheel(0, 3000);
    v = await waitFor(async () => {
      const v = await panelView(page);
      return v.notes.rect && v.notes.rect.y + v.notes.rect.h <= v.card.rect.y + v.card.rect.h ? v : null;
    }, 'the notes in sight');
    await page.mouse.click(v.notes.rect.x + 20, v.notes.rect.y + v.notes.rect.h / 2);
    v = await placed(page, main, (v) => v.notes.open, 'notes opened');

    await form.check(page, PKCE, false);
    v = await placed(page, main, (v) => v.progress.startsWith('2 of 4 fixed'), '2 of 4 fixed');
    assert.ok(v.notes.open, 'the notes stay open while the findings change');
    // Typed key by key: the half-typed URLs' findings come and go and are never counted.
    await form.type(page, 'Callback URL', 'https://veeam.acme.internal\nhttps://203.0.113.10');
    v = await placed(page, main, (v) => v.progress.startsWith('3 of 4 fixed'), '3 of 4 fixed');
    await page.waitForTimeout(1800); // anything typed on the way would have counted by now
    v = await placed(page, main);
    assert.equal(v.progress, '3 of 4 fixed since this page loaded', 'nothing typed on the way counted');
    await form.moveScopes(page, 'OAuth Scopes', ['full', 'refresh_token']);
    v = await placed(page, main, (v) => v.progress.startsWith('4 of 4 fixed'), '4 of 4 fixed');
    // The live region says the counts once they settle.
    v = await placed(page, main, (v) => v.status === 'ECA Guard: 0 errors, 0 warnings, 1 deviation. 4 of 4 fixed.', 'the live region');
    await page.close();
  });
});

/** The accessibility tree of `frame`'s document (CDP; closed shadow roots included). */
async function axTree(page, frame) {
  const cdp = await page.context().newCDPSession(page);
  let frameId;
  if (frame && frame !== page.mainFrame()) {
    const { frameTree } = await cdp.send('Page.getFrameTree');
    frameId = (frameTree.childFrames || []).map((c) => c.frame).find((f) => f.name === frame.name()).id;
  }
  const { nodes } = await cdp.send('Accessibility.getFullAXTree', frameId ? { frameId } : {});
  await cdp.detach();
  return nodes
    .filter((n) => !n.ignored)
    .map((n) => ({
      role: n.role && n.role.value,
      name: (n.name && n.name.value) || '',
      description: (n.description && n.description.value) || '',
      props: Object.fromEntries((n.properties || []).map((p) => [p.name, p.value.value])),
    }));
}

describe('accessible', () => {
  for (const shadow of ['synthetic', 'native']) {
    test(`marked inputs: aria-invalid and aria-describedby to their message, the page's own ids kept (${shadow} shadow)`, async () => {
      await env.setSettings(VEEAM);
      await setPrefs(null);
      const page = await openPage('/lightning/setup/ManageExternalClientApplication/new', { query: shadow === 'native' ? '?shadow=native' : '' });
      await form.check(page, 'Enable OAuth', true);
      const textarea = control(page, 'Callback URL').locator('textarea');
      // An id of the page's own (a help text), which ECA Guard must keep.
      await textarea.evaluate((t) => {
        const help = document.createElement('span');
        help.id = 'page-help';
        help.textContent = 'One URL per line.';
        const root = t.getRootNode();
        (root.body || root).appendChild(help);
        t.setAttribute('aria-describedby', 'page-help');
      });
      await form.type(page, 'Callback URL', 'https://veeam.acme.internal/');
      const state = () =>
        textarea.evaluate((t) => {
          const ids = (t.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
          const host = t.closest('lightning-textarea') || t.getRootNode().host;
          const ours = ids.find((i) => i.startsWith('eca-guard-msg-'));
          const msg = ours ? t.getRootNode().getElementById(ours) : null;
          return { ids, invalid: t.getAttribute('aria-invalid'), msg: msg && msg.textContent, inBox: !!(msg && msg.closest('[data-eca-guard-messages][hidden]')), mark: host.getAttribute('data-eca-guard-message') };
        });
      const marked = await waitFor(async () => {
        const s = await state();
        return s.ids.length === 2 && /slash/.test(s.msg || '') ? s : null;
      }, 'the callback described');
      assert.equal(marked.ids[0], 'page-help', 'the page\'s own id stays, first');
      assert.equal(marked.invalid, 'true');
      assert.equal(marked.msg, `ECA Guard: ${marked.mark}`);
      assert.ok(marked.inBox, 'the message element is in the hidden container of its own tree');

      // PKCE on: an error; off: the deviation Veeam requires (described, not invalid).
      const pkce = control(page, PKCE).locator('input');
      assert.equal(await pkce.getAttribute('aria-invalid'), 'true');
      await form.check(page, PKCE, false);
      await waitFor(async () => (await pkce.getAttribute('aria-invalid')) === null && /eca-guard-msg-/.test((await pkce.getAttribute('aria-describedby')) || ''), 'the deviation described, not invalid');

      // The accessibility tree: the invalid state and the description, the panel's roles.
      const ax = await axTree(page);
      const box = ax.find((n) => n.role === 'textbox' && /Callback URL/.test(n.name));
      assert.equal(box.props.invalid, 'true');
      assert.ok(box.description.startsWith('One URL per line. ECA Guard: Line 1 (https://veeam.acme.internal/) ends with a slash'), box.description);
      assert.ok(ax.some((n) => n.role === 'region' && n.name.startsWith('ECA Guard')), 'the panel is a named region');
      const headings = ax.filter((n) => n.role === 'heading' && n.props.level === 3).map((n) => n.name);
      for (const h of ['Callback URL', 'Selected OAuth Scopes']) assert.ok(headings.includes(h), `heading ${h}: ${headings}`);
      const buttons = ax.filter((n) => n.role === 'button' && /^(Error|Warning|Deviation|Info): /i.test(n.name));
      assert.ok(buttons.length >= 3, JSON.stringify(buttons));
      assert.ok(buttons.every((b) => b.description.startsWith('Fix: ')), 'each finding\'s fix is its description');
      assert.ok(ax.some((n) => n.role === 'button' && n.name === 'Hide' && n.props.expanded === true));
      assert.ok(ax.some((n) => n.role === 'status' && n.props.live === 'polite'), 'a polite live region');
      assert.ok(ax.some((n) => n.role === 'DisclosureTriangle' && /^Notes \(\d+\)$/.test(n.name)), 'the notes\' disclosure');

      // Fixed: ours goes, the page's stays.
      await form.fill(page, 'Callback URL', 'https://veeam.acme.internal\nhttps://203.0.113.10');
      const clear = await waitFor(async () => {
        const s = await state();
        return s.ids.length === 1 ? s : null;
      }, 'the description removed');
      assert.deepEqual(clear.ids, ['page-help']);
      assert.equal(clear.invalid, null);
      await page.close();
    });
  }

  test('a classic page in Setup\'s iframe: the marked input is invalid in the tree, with its message', async () => {
    await env.setSettings(VEEAM);
    await setPrefs(null);
    const page = await openPage(PAGES[2].path);
    const frame = await guardFrame(page, true);
    await placed(page, frame, (v) => v.items.includes('callback-trailing-slash'));
    const ax = await axTree(page, frame);
    const box = ax.find((n) => n.role === 'textbox' && n.props.invalid === 'true');
    assert.ok(box, 'the callback textarea is invalid');
    assert.match(box.description, /^ECA Guard: Line 1 \(https:\/\/203\.0\.113\.10\/\) ends with a slash/);
    assert.ok(ax.some((n) => n.role === 'button' && /^ECA Guard: \d+ errors?/.test(n.name)), 'the chip: a button named by its counts');
    await page.close();
  });
});

/** Runs the keyboard shortcut's command for the tab whose URL contains `part`, as a key press
 * would (worker/panel.js). */
async function shortcut(part) {
  return env.worker().evaluate(async (part) => {
    const tab = (await chrome.tabs.query({})).filter((t) => (t.url || '').includes(part)).sort((a, b) => b.id - a.id)[0]; // the newest
    return globalThis.ecaGuardCommands.run('focus-panel', tab);
  }, part);
}

describe('keyboard', () => {
  test('the shortcut is declared for both browsers', async () => {
    for (const b of ['chromium', 'firefox']) {
      const m = JSON.parse(readFileSync(join(EXT, '..', b, 'manifest.json'), 'utf8'));
      assert.equal(m.commands['focus-panel'].suggested_key.default, 'Alt+Shift+G', b);
    }
    const commands = await env.worker().evaluate(() => chrome.commands.getAll());
    assert.equal(commands.find((c) => c.name === 'focus-panel').shortcut, 'Alt+Shift+G');
  });

  test('the shortcut opens the panel and focuses a finding; Enter goes to its field; Escape collapses; the shortcut again toggles', async () => {
    await env.setSettings(VEEAM);
    await setPrefs({ open: false });
    const page = await openPage('/lightning/setup/ManageExternalClientApplication/new');
    const main = page.mainFrame();
    await form.check(page, 'Enable OAuth', true);
    let v = await placed(page, main, (v) => v.chip.shown && v.items.includes('callback-missing'));
    assert.equal(await shortcut('/ManageExternalClientApplication/new'), true);
    v = await placed(page, main, (v) => v.card.shown && v.focus && v.focus.class === 'go');
    assert.match(v.focus.text, /^Error: The Callback URL field is empty/);
    await page.keyboard.press('Enter');
    await waitFor(() => page.evaluate(() => document.activeElement && document.activeElement.localName === 'textarea' && document.activeElement.name === 'CallbackUrl'), 'the callback textarea focused');
    // Back into the panel, then Escape.
    await shortcut('/ManageExternalClientApplication/new');
    await placed(page, main, (v) => v.focus && v.focus.class === 'go');
    await page.keyboard.press('Tab');
    v = await placed(page, main);
    assert.ok(v.focus, 'Tab stays in the panel (the finding\'s source link)');
    await page.keyboard.press('Escape');
    v = await placed(page, main, (v) => v.chip.shown);
    assert.equal(v.focus && v.focus.class, 'chip');
    assert.deepEqual(await storedPrefs(), { open: false });
    // The shortcut while the focus is in the open panel collapses it.
    await shortcut('/ManageExternalClientApplication/new');
    await placed(page, main, (v) => v.card.shown && v.focus);
    await shortcut('/ManageExternalClientApplication/new');
    v = await placed(page, main, (v) => v.chip.shown);
    await page.close();
  });

  test('on a classic page the shortcut reaches the panel in Setup\'s iframe', async () => {
    await env.setSettings(VEEAM);
    await setPrefs(null);
    const page = await openPage(PAGES[4].path);
    const frame = await guardFrame(page, true);
    await placed(page, frame, (v) => v.chip.shown);
    await shortcut('/SecuritySession/home');
    const v = await placed(page, frame, (v) => v.card.shown && v.focus && v.focus.class === 'go');
    assert.match(v.focus.text, /^Error: It is on/);
    assert.equal(await page.evaluate(() => document.activeElement.localName), 'iframe', 'the focus went into the iframe');
    await page.close();
  });
});

/** WCAG 2 contrast ratio of two CSS rgb()/rgba() colours (alpha composited on `under`). */
function rgb(c, under = [255, 255, 255]) {
  const m = c.match(/rgba?\(([^)]+)\)/);
  assert.ok(m, `a colour: ${c}`);
  const [r, g, b, a = 1] = m[1].split(',').map(Number);
  return [r, g, b].map((x, i) => x * a + under[i] * (1 - a));
}
function luminance([r, g, b]) {
  const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(fg, bg) {
  const b = rgb(bg);
  const [l1, l2] = [luminance(rgb(fg, b)), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

describe('dark mode', () => {
  test('the panel and the marks\' messages: other colours in the dark, text at 4.5:1 or more in both', async () => {
    await env.setSettings(VEEAM);
    await setPrefs(null);
    const page = await openPage('/lightning/setup/ManageExternalClientApplication/new');
    const main = page.mainFrame();
    await form.check(page, 'Enable OAuth', true);
    await form.type(page, 'Callback URL', 'https://veeam.acme.internal/');
    const read = async (scheme) => {
      await page.emulateMedia({ colorScheme: scheme });
      const v = await placed(page, main, (v) => v.card.shown && v.progress && v.colors.finding);
      const mark = await control(page, 'Callback URL').evaluate((h) => {
        const s = getComputedStyle(h, '::after');
        return { fg: s.color, bg: s.backgroundColor, content: s.content };
      });
      return { ...v.colors, mark };
    };
    const light = await read('light');
    const dark = await read('dark');
    assert.notEqual(light.card.bg, dark.card.bg, 'the card');
    assert.notEqual(light.title.fg, dark.title.fg, 'the text');
    assert.notEqual(light.mark.bg, dark.mark.bg, 'the mark\'s message');
    assert.notEqual(light.mark.fg, dark.mark.fg);
    assert.match(light.mark.content, /ECA Guard: /);
    for (const [scheme, c] of [['light', light], ['dark', dark]]) {
      const bg = c.card.bg;
      for (const part of ['title', 'finding', 'sev', 'fix', 'link', 'progress']) {
        const ratio = contrast(c[part].fg, bg);
        assert.ok(ratio >= 4.5, `${scheme} ${part}: ${c[part].fg} on ${bg} is ${ratio.toFixed(2)}:1`);
      }
      const header = contrast(c.title.fg, c.header.bg);
      assert.ok(header >= 4.5, `${scheme} header: ${header.toFixed(2)}:1`);
      const mark = contrast(c.mark.fg, c.mark.bg);
      assert.ok(mark >= 4.5, `${scheme} mark message: ${c.mark.fg} on ${c.mark.bg} is ${mark.toFixed(2)}:1`);
    }
    await page.close();
  });

  test('a classic page\'s marks (classic-marks.css) and the chip, in both schemes', async () => {
    await env.setSettings(VEEAM);
    await setPrefs(null);
    const page = await openPage(PAGES[3].path); // Network Access: the list is marked
    const frame = await guardFrame(page, true);
    const out = {};
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      const v = await placed(page, frame, (v) => v.chip.shown);
      const mark = await waitFor(
        () =>
          frame.evaluate(() => {
            const t = document.querySelector('[data-eca-guard]');
            if (!t) return null;
            const s = getComputedStyle(t, '::after');
            return { fg: s.color, bg: s.backgroundColor };
          }),
        'the marked list'
      );
      out[scheme] = { mark, chip: v.colors.chip };
      assert.ok(contrast(mark.fg, mark.bg) >= 4.5, `${scheme} classic mark: ${mark.fg} on ${mark.bg}`);
      assert.ok(contrast(v.colors.chip.fg, v.colors.chip.bg) >= 4.5, `${scheme} chip: ${JSON.stringify(v.colors.chip)}`);
    }
    assert.notEqual(out.light.mark.bg, out.dark.mark.bg);
    assert.notEqual(out.light.chip.bg, out.dark.chip.bg);
    await page.close();
  });
});
