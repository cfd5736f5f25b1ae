// Takes the screenshots the docs show (after ./build.sh build):
//   node screenshot.mjs
//     docs/screenshot.png: the README's, the fixture New ECA form half filled for Veeam at
//       1440 × 1000, with ECA Guard's marks and panel;
//     docs/screenshots/<page>-1024-after.png: the panel at 1024 × 768 on the New ECA form, the
//       classic Connected App edit page and Network Access, as first installed, and
//       <page>-1024-after-open.png once the user opened it (docked left, beside the page).
//   ECA_GUARD_EXT=/path/to/an/older/dist/chromium SHOTS=before node screenshot.mjs
//     the same pages at 1024 × 768 with that build, as <page>-1024-before.png (how the panel
//     was: docs/screenshots/README.md says which commit).
// Only the page's own marks and the panel's contract attributes are waited for, so an older
// build works too.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { control, form, launch, panelView, waitMarks } from './harness.mjs';
import { alohaFrame, classicMarks } from './org-harness.mjs';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '../../docs');
const WHICH = process.env.SHOTS === 'before' ? 'before' : 'after';
const VEEAM = { pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal', 'https://172.12.0.1'], salesforceIdp: false, serverAddresses: ['203.0.113.10'] } };
const CLASSIC_EDIT = '/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppEdit.apexp';

const env = await launch();
const shots = [];
async function shoot(page, file) {
  await page.waitForTimeout(1800); // the panel places itself, its progress line counts what stayed
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  shots.push(file);
}
/** The panel's remembered state (worker/panel.js); an older build ignores it. */
const setPanel = (prefs) => env.worker().evaluate((p) => (p ? chrome.storage.local.set({ ecaGuardPanel: p }) : chrome.storage.local.remove('ecaGuardPanel')), prefs);

async function newEca(width, height) {
  const page = await env.ctx.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(env.formUrl());
  await form.check(page, 'Enable OAuth', true);
  await form.type(page, 'Callback URL', 'https://veeam.acme.internal/\nhttps://172.12.0.1');
  await form.moveScopes(page, 'OAuth Scopes', ['full', 'web']);
  await waitMarks(page, (m) => m.panel && m.panel.warnings >= 1, 'marks');
  // Up or down only (a page narrowed for the panel may scroll sideways too).
  await control(page, 'Callback URL').evaluate((el) => scrollTo(0, scrollY + el.getBoundingClientRect().top - 120));
  return page;
}

async function classic(path, width, height) {
  const page = await env.ctx.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(`https://bad.my.salesforce-setup.com:${env.server.port}${path}`);
  await classicMarks(page, (m) => m.panel && m.marks.length > 0, 'classic marks');
  return page;
}

try {
  await env.setSettings(VEEAM);
  await setPanel(null);
  if (WHICH === 'after') {
    const page = await newEca(1440, 1000);
    await shoot(page, join(DOCS, 'screenshot.png'));
    await page.close();
  }
  const out = (name, suffix = '') => join(DOCS, 'screenshots', `${name}-1024-${WHICH}${suffix}.png`);
  /** Opens the panel as the user would: a click on its chip, unless it shows open already. */
  async function openIt(page, frame) {
    const v = await panelView(page, frame);
    if (!v || !v.chip.shown) return;
    const box = frame === page.mainFrame() ? { x: 0, y: 0 } : await page.locator('iframe[name^=vfFrameId]').boundingBox();
    await page.mouse.click(box.x + v.chip.rect.x + v.chip.rect.w / 2, box.y + v.chip.rect.y + v.chip.rect.h / 2);
  }
  const pages = [
    ['new-eca', () => newEca(1024, 768), (page) => page.mainFrame()],
    ['connected-app', () => classic(CLASSIC_EDIT, 1024, 768), alohaFrame],
    ['network-access', () => classic('/lightning/setup/NetworkAccess/home', 1024, 768), alohaFrame],
  ];
  for (const [name, load, frameOf] of pages) {
    const page = await load();
    await shoot(page, out(name));
    if (WHICH === 'after') {
      await openIt(page, frameOf(page));
      await page.keyboard.press('Tab'); // the focus went to the first finding; leave it there
      await page.keyboard.press('Shift+Tab');
      await shoot(page, out(name, '-open'));
    }
    await page.close();
    await setPanel(null);
  }
  for (const f of shots) console.log(`wrote ${f}`);
} finally {
  await env.close();
}
