// Helpers for tests of classic Setup pages in the Aloha iframe and of the popup (used by
// org-pages.test.mjs, eca-detail.test.mjs, connected-app.test.mjs and bench-classic.mjs).
import { inFrameWorld, panelView } from './harness.mjs';

/** Collects console errors/warnings and uncaught errors from the page and all its frames. */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const where = (m.location() && m.location().url) || '';
    if (/favicon\.ico/.test(where)) return; // the fixture server has no favicon
    problems.push(`${m.type()}: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export async function waitFor(fn, what, timeout = 6000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message; // a frame navigating away mid-evaluate: try again
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** The current Aloha iframe of a Lightning page (Lightning may re-create it). */
export function alohaFrame(page) {
  return page.frames().find((f) => f.name().startsWith('vfFrameId')) || null;
}

const READ_MARKS = () => {
  // A label cell's text without its help bubble's script text.
  const shown = (el) => {
    const c = el.cloneNode(true);
    for (const x of c.querySelectorAll('script')) x.remove();
    return c.textContent.replace(/\s+/g, ' ').trim();
  };
  const labelOf = (el) => {
    if (el.id) {
      const l = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      if (l) return shown(l);
    }
    const row = el.closest('tr');
    const cell = row && row.querySelector('td.labelCol, th.labelCol');
    if (cell) return shown(cell);
    const block = el.closest('.bPageBlock');
    const h = block && block.querySelector('.pbTitle h3, .pbTitle h2');
    return h ? h.textContent.trim() : el.localName;
  };
  const panel = document.querySelector('eca-guard-panel');
  return {
    marks: [...document.querySelectorAll('[data-eca-guard]')].map((h) => ({
      tag: h.localName,
      label: labelOf(h),
      severity: h.getAttribute('data-eca-guard'),
      rules: (h.getAttribute('data-eca-guard-rules') || '').split(' ').filter(Boolean),
    })),
    panel: panel
      ? {
          errors: +panel.dataset.errors,
          warnings: +panel.dataset.warnings,
          deviations: +panel.dataset.deviations,
          rules: (panel.dataset.rules || '').split(' ').filter(Boolean),
        }
      : null,
  };
};

/** The marks and panel counts of `frame` (page world), and what its closed panel shows
 * (`items`, `panelText`: from the content script's world, harness.mjs panelView). */
async function readMarks(frame) {
  const m = await frame.evaluate(READ_MARKS);
  const view = m.panel ? await panelView(frame.page(), frame) : null;
  // The panel's UI is built when the page is idle, after its host appears: until it has text,
  // it is not there yet (else a test would match its expectations against an empty panel).
  if (m.panel && !(view && view.text)) m.panel = null;
  if (m.panel) m.panel.items = view ? view.items : [];
  m.panelText = view ? view.text : '';
  return m;
}

/** Marks and panel inside the Aloha iframe, once `pred` holds. */
export async function classicMarks(page, pred, what) {
  return waitFor(async () => {
    const f = alohaFrame(page);
    if (!f) return null;
    const m = await readMarks(f);
    return pred(m) ? m : null;
  }, what);
}

/**
 * What ECA Guard's reader in `frame` read last (content/main.js `current`): `{reader, snapshot}`
 * as the content script's world holds it, or null before any read.
 */
export function readIn(frame) {
  return inFrameWorld(frame.page(), frame, `(() => { const c = globalThis.ecaGuard && ecaGuard.current && ecaGuard.current();
    return c && c.read ? { reader: c.reader, snapshot: c.read.snapshot } : null; })()`);
}

/**
 * Throws unless the reader `reader` in `frame` has read every one of `fields` (a value, not
 * unreadable): what "nothing marked" on a good page must rest on, or a reader that read nothing
 * would pass it.
 */
export async function assertRead(frame, reader, fields) {
  const r = await waitFor(() => readIn(frame), `a read in ${frame.url()}`);
  if (r.reader !== reader) throw new Error(`read by ${r.reader}, not ${reader}`);
  const missing = fields.filter((f) => r.snapshot[f] === undefined || r.snapshot[f] === null || (r.snapshot.unreadable || []).some((u) => u.field === f));
  if (missing.length) throw new Error(`${reader} did not read ${missing.join(', ')}: ${JSON.stringify(r.snapshot)}`);
  return r.snapshot;
}

/** Marks in a frame or page (any document). */
export async function marksIn(frame, pred, what) {
  return waitFor(async () => {
    const m = await readMarks(frame);
    return pred(m) ? m : null;
  }, what);
}

/** Opens the popup for `host` in a tab; rule → {status, text, setup, source, couldNotRead}. */
export async function popupRows(env, host, pred = () => true, what = 'popup rows') {
  const page = await env.ctx.newPage();
  try {
    return await waitFor(async () => {
      await page.goto(`chrome-extension://${env.extId}/popup/popup.html?host=${encodeURIComponent(host)}`);
      await page.waitForSelector('body[data-ready]');
      const rows = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('[data-rule]')].map((r) => [
            r.dataset.rule,
            {
              status: r.dataset.status,
              text: r.innerText,
              setup: r.querySelector('a[data-link="setup"]') && r.querySelector('a[data-link="setup"]').href,
              setupAll: [...r.querySelectorAll('a[data-link="setup"]')].map((a) => a.href),
              source: r.querySelector('a[data-link="source"]') && r.querySelector('a[data-link="source"]').href,
              couldNotRead: !!r.querySelector('.could-not-read'),
            },
          ])
        )
      );
      return pred(rows) ? rows : null;
    }, what);
  } finally {
    await page.close();
  }
}

/**
 * `ecaGuard.perf` (content/perf.js) of the content script in every frame of the CDP session's
 * page: {frameUrl → perf}. `contexts`: the execution contexts seen so far (any iterable).
 */
export async function perfByFrame(cdp, contexts) {
  const { frameTree } = await cdp.send('Page.getFrameTree');
  const urls = {};
  const walk = (t) => {
    urls[t.frame.id] = t.frame.url;
    for (const c of t.childFrames || []) walk(c);
  };
  walk(frameTree);
  const out = {};
  for (const c of contexts) {
    if (c.name !== 'ECA Guard' || !urls[c.auxData.frameId]) continue;
    try {
      const r = await cdp.send('Runtime.evaluate', { contextId: c.id, expression: 'JSON.stringify(globalThis.ecaGuard && ecaGuard.perf)', returnByValue: true });
      if (r.result && r.result.value) out[urls[c.auxData.frameId]] = JSON.parse(r.result.value);
    } catch (_) {
      // a context of a frame that navigated away
    }
  }
  return out;
}

/** {@link perfByFrame} for `page`, over a CDP session of its own. */
export async function perfInFrames(env, page) {
  const cdp = await env.ctx.newCDPSession(page);
  try {
    const contexts = [];
    cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
    await cdp.send('Runtime.enable');
    return await perfByFrame(cdp, contexts);
  } finally {
    await cdp.detach();
  }
}

/** The tab id of `page` (the popup is opened in a tab of its own, with ?tab=<id>). */
const tabIdOf = (env, page) =>
  env.worker().evaluate(async (url) => (await chrome.tabs.query({})).find((t) => t.url === url).id, page.url());

/** Clicks "Copy page outline" in the popup for `page`'s tab; returns {outline, clipboard}
 * (outline.test.mjs, page-load.test.mjs). */
export async function popupOutline(env, page) {
  const id = await tabIdOf(env, page);
  const popup = await env.ctx.newPage();
  try {
    await env.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `chrome-extension://${env.extId}` });
  } catch (_) {
    // not grantable for this origin in this build: the clipboard is then not compared
  }
  await popup.goto(`chrome-extension://${env.extId}/popup/popup.html?tab=${id}`);
  await popup.waitForSelector('body[data-ready]');
  await popup.locator('#copy-outline').click();
  await popup.waitForSelector('body[data-outline="ready"]', { timeout: 5000 });
  const outline = await popup.locator('#outline').textContent();
  const clipboard = await popup.evaluate(() => navigator.clipboard.readText().catch(() => null));
  await popup.close();
  return { outline, clipboard };
}
