// Browser figures for `./build.sh bench` (printed, not asserted), all in one headless Chromium:
// - bare content-script ↔ worker round trips (`ping`): one-off sendMessage, and the open port;
// - keystroke-to-highlight: an input event in the Callback URL field until the mark on its host
//   changes, observed from the page;
// - service worker cold start to first result: the worker target is closed over CDP, then the
//   content script's next check is timed.
import { form, launch } from './harness.mjs';

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms (n=${xs.length})`;

/** Evaluates `expr` in the extension's content-script world of `page`. */
async function inContentScript(env, page, expr) {
  const cdp = await env.ctx.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const ctx = contexts.find((c) => c.name === 'ECA Guard');
  if (!ctx) throw new Error('content script world not found');
  const r = await cdp.send('Runtime.evaluate', { contextId: ctx.id, expression: expr, awaitPromise: true, returnByValue: true });
  await cdp.detach();
  if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
  return r.result.value;
}

const env = await launch();
try {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  for (const shadow of ['synthetic', 'native']) {
    const page = await env.ctx.newPage();
    await page.goto(env.formUrl(shadow === 'native' ? { shadow } : {}));
    await form.check(page, 'Enable OAuth', true);
    await page.waitForTimeout(300);

    // Two floors: a one-off runtime.sendMessage (the "bare message round trip" of toolchain.md)
    // and the long-lived port the content script actually uses for checks.
    const rt = (how) =>
      inContentScript(
        env,
        page,
        `(async () => { const call = ${how}; const xs = []; for (let i = 0; i < 50; i++) await call();
          for (let i = 0; i < 500; i++) { const t = performance.now(); await call(); xs.push(performance.now() - t); }
          return xs; })()`
      );
    const ping = await rt(`() => chrome.runtime.sendMessage({type: 'ping'})`);
    const portPing = await rt(`() => ecaGuard.send({type: 'ping'})`);

    // Alternate between a callback with a trailing slash (marked) and the right one (cleared);
    // each input event must flip the host's data-eca-guard-rules.
    const keys = await page.evaluate(async () => {
      const deep = (root, sel) => {
        const walk = (r) => r.querySelector(sel) || [...r.querySelectorAll('*')].map((e) => e.shadowRoot && walk(e.shadowRoot)).find(Boolean);
        return walk(root);
      };
      const host = [...(function* all(r) {
        for (const e of r.querySelectorAll('*')) { yield e; if (e.shadowRoot) yield* all(e.shadowRoot); }
      })(document)].find((e) => e.localName === 'lightning-textarea' && /Callback URL/.test((e.shadowRoot || e).textContent));
      const ta = deep(host.shadowRoot || host, 'textarea');
      const rules = () => host.getAttribute('data-eca-guard-rules') || '';
      const xs = [];
      for (let i = 0; i < 300; i++) {
        const slash = i % 2 === 0;
        const before = rules();
        const done = new Promise((resolve) => {
          const mo = new MutationObserver(() => {
            if (rules() !== before) { mo.disconnect(); resolve(performance.now()); }
          });
          mo.observe(host, { attributes: true });
        });
        ta.value = slash ? 'https://veeam.acme.internal/' : 'https://veeam.acme.internal';
        const t = performance.now();
        ta.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: slash ? '/' : null }));
        const end = await Promise.race([done, new Promise((r) => setTimeout(() => r(null), 2000))]);
        if (end === null) throw new Error('no highlight change within 2 s at iteration ' + i);
        if (i >= 20) xs.push(end - t);
      }
      return xs;
    });
    const ratio = pct(keys, 99) / pct(ping, 99);
    console.log(`round trip content script ↔ worker, sendMessage (${shadow}): ${fmt(ping)}`);
    console.log(`round trip content script ↔ worker, open port as used for checks (${shadow}): ${fmt(portPing)}`);
    console.log(`keystroke-to-highlight (${shadow}): ${fmt(keys)}; p99 = ${ratio.toFixed(2)}× the bare sendMessage round trip p99 (${(pct(keys, 99) / pct(portPing, 99)).toFixed(2)}× the open port's), p50 = ${(pct(keys, 50) / pct(ping, 50)).toFixed(2)}× its p50 (target p99 <= 1.5×)`);
    await page.close();
  }

  // Cold start: kill the worker, then time the next check from the content script.
  const page = await env.ctx.newPage();
  await page.goto(env.formUrl());
  await page.waitForTimeout(300);
  const cold = [];
  const starts = [];
  for (let i = 0; i < 7; i++) {
    const cdp = await env.ctx.browser().newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${env.extId}/`));
    if (!sw) throw new Error('no worker target');
    await cdp.send('Target.closeTarget', { targetId: sw.targetId });
    await cdp.detach();
    await page.waitForTimeout(300);
    const ms = await inContentScript(
      env,
      page,
      `(async () => { const snap = ecaGuard.readers[0].read(document).snapshot; const t = performance.now();
        const r = await ecaGuard.send({type: 'check', snapshot: snap}); if (!r.ok || !r.result) throw new Error(JSON.stringify(r));
        return performance.now() - t; })()`
    );
    cold.push(ms);
    const st = await inContentScript(env, page, `ecaGuard.send({type: 'timings'})`);
    if (!st.ok) throw new Error('timings: ' + JSON.stringify(st));
    starts.push(st.timings);
  }
  console.log(`service worker cold start to first result: median ${pct(cold, 50).toFixed(1)} ms, max ${Math.max(...cold).toFixed(1)} ms (n=${cold.length}; target <= 20 ms)`);
  const med = (k) => pct(starts.map((s) => s[k]).filter((x) => x !== null), 50).toFixed(1);
  console.log(`  inside the restarted worker (median, ms since its start): modules evaluated ${med('moduleStart')}, Wasm ready ${med('wasmReady')}`);
} finally {
  await env.close();
}
