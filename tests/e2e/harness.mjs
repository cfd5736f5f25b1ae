// Shared set-up for the browser tests and the bench: the fixture server, headless Chromium with
// the built extension (dist/chromium), and helpers to set settings and read the page's marks.
// Flags: docs/toolchain.md ("Real-browser tests"). Never downloads a browser: system Chromium only.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer } from '../fixtures/serve.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// ECA_GUARD_EXT: another build to load (e.g. a before/after comparison of the bench).
export const EXT = process.env.ECA_GUARD_EXT ? resolve(process.env.ECA_GUARD_EXT) : resolve(HERE, '../../dist/chromium');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const HOST = 'acme.my.salesforce-setup.com';

/**
 * Chromium flags for a test browser with the built extension, and Salesforce host names mapped
 * to the local fixture server on `port` (docs/toolchain.md: BOTH extension flags, and the
 * background-networking flags, since this machine's network is closed).
 */
export function chromiumArgs(port, hosts, also = [], ext = EXT) {
  const exts = [ext, ...also].filter(Boolean).join(',');
  return [
    ...(exts ? [`--disable-extensions-except=${exts}`, `--load-extension=${exts}`] : []),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1:${port}`).join(', ')}`,
    '--ignore-certificate-errors',
  ];
}

/**
 * `also`: more unpacked extensions to load next to ECA Guard (the bench's bare worker). `ext`:
 * another build of ECA Guard to load instead of EXT, or null for a browser without it (the
 * page-load bench's reference; `extId`, `worker()` and `setSettings` are then absent). `server`:
 * a fixture server already started, to share between browsers.
 */
export async function launch({ also = [], ext = EXT, server: shared = null } = {}) {
  if (ext && !existsSync(join(ext, 'manifest.json'))) throw new Error(`no built extension at ${ext}: run ./build.sh build`);
  const server = shared || (await startServer({ port: 0 }));
  const profile = mkdtempSync(join(tmpdir(), 'eca-guard-e2e-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: process.env.HEADED ? false : true,
    viewport: { width: 1280, height: 900 },
    args: chromiumArgs(server.port, ['*.my.salesforce-setup.com', '*.lightning.force.com'], also, ext),
  });
  if (!ext) {
    return {
      ctx,
      server,
      origin: `https://${HOST}:${server.port}`,
      async close() {
        await ctx.close();
        if (!shared) await server.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  }
  const ours = (w) => w.url().endsWith('/background.js');
  const sw = ctx.serviceWorkers().find(ours) || (await ctx.waitForEvent('serviceworker', { predicate: ours, timeout: 15000 }));
  const extId = new URL(sw.url()).host;
  const env = {
    ctx,
    server,
    extId,
    origin: `https://${HOST}:${server.port}`,
    worker() {
      // The worker may have been restarted (cold start tests); always take the current one.
      return ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extId}/`)) || sw;
    },
    async setSettings(settings) {
      await env.worker().evaluate((s) => chrome.storage.local.set({ ecaGuard: s }), settings);
    },
    formUrl(query = {}) {
      const q = new URLSearchParams(query).toString();
      return `${env.origin}/lightning/setup/ManageExternalClientApplication/new${q ? '?' + q : ''}`;
    },
    async close() {
      await ctx.close();
      if (!shared) await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return env;
}

/** Runs in the page: every element anywhere (open shadow roots too) matching `sel`. */
const DEEP = `
  function deepAll(root, sel) {
    const out = [];
    const walk = (r) => {
      if (r.shadowRoot) walk(r.shadowRoot);
      out.push(...r.querySelectorAll(sel));
      for (const el of r.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(root);
    return out;
  }`;

/** The marks on the page: [{label, severity, rules[]}], the panel counts and its findings' rules. */
export async function marks(page) {
  const m = await page.evaluate(`(() => { ${DEEP}
    const hosts = deepAll(document, '[data-eca-guard]');
    const label = (h) => {
      const l = deepAll(h, 'span[part="label"], label, [part="dual-listbox"] > div')[0];
      return l ? l.textContent.replace(/\\s+/g, ' ').replace(/^\\*\\s*/, '').trim() : h.localName;
    };
    const panel = document.querySelector('eca-guard-panel');
    return {
      marks: hosts.map((h) => ({ tag: h.localName, label: label(h), severity: h.getAttribute('data-eca-guard'),
        rules: (h.getAttribute('data-eca-guard-rules') || '').split(' ').filter(Boolean) })),
      panel: panel ? { errors: +panel.dataset.errors, warnings: +panel.dataset.warnings, deviations: +panel.dataset.deviations, rules: (panel.dataset.rules || '').split(' ').filter(Boolean) } : null,
    };
  })()`);
  if (m.panel) m.panel.items = ((await panelView(page)) || { items: [] }).items;
  return m;
}

/** The control whose label is `label`: a Playwright locator (pierces open shadow roots). */
export function control(page, label) {
  return page.locator('lightning-input, lightning-textarea, lightning-combobox, lightning-dual-listbox').filter({
    has: page.locator('span[part="label"], label, [part="dual-listbox"] > div', { hasText: label }).filter({
      hasText: new RegExp(`^\\s*\\*?\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`),
    }),
  });
}

/** Waits until `pred(marks)` holds; returns the marks (or throws with the last ones seen). */
export async function waitMarks(page, pred, what = 'marks', timeout = 5000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await marks(page);
    if (pred(last)) return last;
    await page.waitForTimeout(25);
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last, null, 1)}`);
}

/** Form actions, by visible label (works in both shadow modes and any locale's labels). */
export const form = {
  async check(page, label, on) {
    const c = control(page, label);
    const box = c.locator('input[type=checkbox]');
    if ((await box.isChecked()) !== on) await c.locator('label').first().click();
  },
  async type(page, label, text) {
    const c = control(page, label);
    const input = c.locator('textarea, input').first();
    await input.fill('');
    await input.pressSequentially(text, { delay: 0 });
  },
  async fill(page, label, text) {
    await control(page, label).locator('textarea, input').first().fill(text);
  },
  async pick(page, label, optionLabel) {
    const c = control(page, label);
    await c.locator('button[role=combobox]').click();
    await c.locator('[role=option]', { hasText: optionLabel }).click();
  },
  /** Moves scopes whose text contains `(name)` to the selected (or source) column. */
  async moveScopes(page, label, protocolNames, toSelected = true) {
    const c = control(page, label);
    const from = c.locator(toSelected ? 'ul[data-source-list]' : 'ul[data-selected-list]');
    for (const n of protocolNames) {
      await from.locator('[role=option]', { hasText: new RegExp(`\\(${n}[,)]`) }).click();
    }
    await c.locator('lightning-button-icon').nth(toSelected ? 0 : 1).locator('button').click();
  },
};

export const byLabel = (m, label) => m.marks.find((x) => x.label === label);

/** One CDP session per page, with the execution contexts alive in it (for panelView). */
const worlds = new WeakMap();
async function contentWorlds(page) {
  let w = worlds.get(page);
  if (!w) {
    const cdp = await page.context().newCDPSession(page);
    const contexts = new Map();
    cdp.on('Runtime.executionContextCreated', (e) => contexts.set(e.context.id, e.context));
    cdp.on('Runtime.executionContextDestroyed', (e) => contexts.delete(e.executionContextId));
    cdp.on('Runtime.executionContextsCleared', () => contexts.clear());
    w = { cdp, contexts, ready: cdp.send('Runtime.enable') };
    worlds.set(page, w);
  }
  await w.ready;
  return w;
}

/**
 * What ECA Guard's panel in `frame` (the page's main frame by default) shows: `{items: [rule…],
 * text}`, or null when there is no panel UI. The panel's shadow root is closed, so neither the
 * page nor Playwright can read it; the content script's own world can (content/paint.js `view`),
 * and this evaluates there through CDP.
 */
export async function panelView(page, frame = page.mainFrame()) {
  return inFrameWorld(page, frame, 'globalThis.ecaGuard && ecaGuard.paint && ecaGuard.paint.view()');
}

/** Evaluates `expr` in ECA Guard's content-script world of `frame` (by value), or null. */
export async function inFrameWorld(page, frame, expr) {
  const { cdp, contexts } = await contentWorlds(page);
  const { frameTree } = await cdp.send('Page.getFrameTree');
  let frameId = null;
  const walk = (t, top) => {
    if (frameId) return;
    if (top ? frame === page.mainFrame() : t.frame.name === frame.name() && frame.url().startsWith(t.frame.url)) frameId = t.frame.id;
    for (const c of t.childFrames || []) walk(c, false);
  };
  walk(frameTree, true);
  const ctx = [...contexts.values()].filter((c) => c.name === 'ECA Guard' && c.auxData && c.auxData.frameId === frameId).pop();
  if (!ctx) return null;
  try {
    const r = await cdp.send('Runtime.evaluate', { contextId: ctx.id, expression: expr, returnByValue: true });
    return (r.result && r.result.value) || null;
  } catch (_) {
    return null; // the frame navigated away meanwhile
  }
}

/** Evaluates `expr` (may return a promise) in the extension's content-script world of `page`
 * (`world`: another loaded extension's, by its name). */
export async function inContentScript(env, page, expr, world = 'ECA Guard') {
  const cdp = await env.ctx.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const top = page.mainFrame();
  const topDefault = contexts.find((c) => c.auxData && c.auxData.isDefault && c.origin === new URL(top.url()).origin);
  const ctx =
    contexts.find((c) => c.name === world && topDefault && c.auxData && c.auxData.frameId === topDefault.auxData.frameId) ||
    contexts.find((c) => c.name === world);
  if (!ctx) throw new Error('content script world not found');
  const r = await cdp.send('Runtime.evaluate', { contextId: ctx.id, expression: expr, awaitPromise: true, returnByValue: true });
  await cdp.detach();
  if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
  return r.result.value;
}
