// Bench step for `./build.sh bench` (printed, not asserted): resource limits on the New ECA form.
// - a page with 10,000 elements of noise beside the form and a dual listbox of 1,000 more scopes
//   (fixture query ?noise=&scopes=, tests/fixtures/pages/new-eca.mjs): keystroke-to-highlight
//   back to back, next to the same on the plain form in the same run;
// - 10,000 re-checks on that page (keystrokes back to back, each changing the marks), in chunks:
//   latency per chunk, and memory after each: the worker's JS heap (CDP on the service worker
//   target), the checker's Wasm memory (the worker's `timings`), the page's renderer heap (the
//   content script's isolated world lives in it; CDP on the page), each after a GC;
// - a 2 MB Callback URL field: how long until it is marked, the longest gap between frames
//   meanwhile (a frozen tab shows as one long gap), and the content script's own work.
import { form, inContentScript, launch, waitMarks } from './harness.mjs';
import { bench, loadavg } from './bench-table.mjs';
import { FIND_CALLBACK, KEYSTROKE } from './bench-keys.mjs';

const RECHECKS = Number(process.env.BENCH_RECHECKS || 10000);
const CHUNK = RECHECKS >= 1000 ? 1000 : RECHECKS;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const mb = (b) => (b / 1048576).toFixed(1);

/** Keystrokes back to back in the page world: [ms] for keystrokes from..from+n. */
const keys = (page, from, n) =>
  page.evaluate(`(async () => {
    const { host, ta } = ${FIND_CALLBACK};
    const key = ${KEYSTROKE};
    const xs = [];
    for (let i = ${from}; i < ${from + n}; i++) xs.push(await key(host, ta, i));
    return xs;
  })()`);

/** Runs in a page world: puts 2 MB of callback lines into the field; resolves to {chars, ms until
 * the field is marked callback-invalid (null without a mark), gap: the longest gap between frames
 * from then until 500 ms after}. */
const BIG_FIELD = `(async () => {
  const { host, ta } = ${FIND_CALLBACK};
  const line = 'https://veeam.acme.internal/callback/0123456789\\n';
  const value = line.repeat(Math.ceil((2 * 1048576) / line.length)).slice(0, 2 * 1048576);
  let gap = 0; let last = performance.now(); let on = true;
  const frame = () => { const now = performance.now(); gap = Math.max(gap, now - last); last = now; if (on) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const marked = new Promise((resolve) => {
    const mo = new MutationObserver(() => { if ((host.getAttribute('data-eca-guard-rules') || '').includes('callback-invalid')) { mo.disconnect(); resolve(performance.now()); } });
    mo.observe(host, { attributes: true });
  });
  const t = performance.now();
  ta.value = value;
  ta.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  const end = await Promise.race([marked, new Promise((r) => setTimeout(() => r(null), 10000))]);
  await new Promise((r) => setTimeout(r, 500));
  on = false;
  return { chars: value.length, ms: end === null ? null : end - t, gap };
})()`;

/** The worker's JS heap after a GC, through a CDP session on its target (bytes). */
async function workerHeap(env) {
  const cdp = await env.ctx.browser().newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${env.extId}/`));
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
    let id = 0;
    const call = (method) =>
      new Promise((resolve) => {
        const mine = ++id;
        const on = (e) => {
          const m = JSON.parse(e.message);
          if (e.sessionId === sessionId && m.id === mine) {
            cdp.off('Target.receivedMessageFromTarget', on);
            resolve(m.result);
          }
        };
        cdp.on('Target.receivedMessageFromTarget', on);
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mine, method }) });
      });
    await call('HeapProfiler.collectGarbage');
    const { usedSize } = await call('Runtime.getHeapUsage');
    await cdp.send('Target.detachFromTarget', { sessionId });
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

async function memory(env, page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { page: usedSize, worker: await workerHeap(env), wasm: await wasmBytes(env, page) };
}

/** The checker's Wasm memory in bytes, as the worker reports it to a content script. */
async function wasmBytes(env, page) {
  const r = await inContentScript(env, page, `ecaGuard.send({ type: 'timings' })`);
  return r.ok ? r.timings.wasmBytes : null;
}

const env = await launch();
try {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  const open = async (query) => {
    const page = await env.ctx.newPage();
    await page.goto(env.formUrl(query));
    await form.check(page, 'Enable OAuth', true);
    await waitMarks(page, (m) => m.marks.some((x) => x.label === 'Callback URL'), 'callback marked', 15000);
    return page;
  };
  const load0 = loadavg();

  // Keystrokes: the plain form, then the big page, in the same run.
  const plain = await open({});
  const plainKeys = (await keys(plain, 0, 320)).slice(20);
  await plain.close();
  const page = await open({ noise: 10000, scopes: 1000 });
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  const bigKeys = (await keys(page, 0, 320)).slice(20);
  console.log(`limits: keystroke-to-highlight back to back, plain form p50 ${pct(plainKeys, 50).toFixed(2)} ms, p99 ${pct(plainKeys, 99).toFixed(2)} ms; with ${nodes} elements and 1,000 more scopes p50 ${pct(bigKeys, 50).toFixed(2)} ms, p99 ${pct(bigKeys, 99).toFixed(2)} ms`);
  bench('limits: keystroke p99, 10,000 nodes of noise + 1,000 scopes', `${pct(bigKeys, 99).toFixed(2)} ms (p50 ${pct(bigKeys, 50).toFixed(2)})`, '<= 2× the plain form\'s', `plain form p99 ${pct(plainKeys, 99).toFixed(2)} ms (load ${loadavg()})`, pct(bigKeys, 99) <= 2 * pct(plainKeys, 99) ? 'met' : 'missed');

  // 10,000 re-checks, memory after each chunk.
  const cdp = await env.ctx.newCDPSession(page);
  const mem0 = await memory(env, page, cdp);
  const chunks = [];
  for (let done = 0; done < RECHECKS; done += CHUNK) {
    const xs = await keys(page, done, CHUNK);
    chunks.push({ p50: pct(xs, 50), p99: pct(xs, 99), mem: await memory(env, page, cdp) });
  }
  console.log(`limits: ${RECHECKS} re-checks in chunks of ${CHUNK} on that page; memory after a GC at the start: page ${mb(mem0.page)} MB, worker ${mb(mem0.worker)} MB, Wasm ${mb(mem0.wasm)} MB`);
  chunks.forEach((c, i) => console.log(`  chunk ${i + 1}: p50 ${c.p50.toFixed(2)} ms, p99 ${c.p99.toFixed(2)} ms; page ${mb(c.mem.page)} MB, worker ${mb(c.mem.worker)} MB, Wasm ${mb(c.mem.wasm)} MB`));
  const first = chunks[0];
  const last = chunks[chunks.length - 1];
  const flat = (k) => last.mem[k] <= first.mem[k] * 1.1 + 1048576; // within 10% + 1 MB of the first chunk's
  bench(`limits: ${RECHECKS} re-checks, latency first → last chunk`, `p99 ${first.p99.toFixed(2)} → ${last.p99.toFixed(2)} ms`, 'no growth (last <= 1.5× first)', `load ${loadavg()}`, last.p99 <= 1.5 * first.p99 ? 'met' : 'missed');
  for (const [k, name] of [['worker', 'worker JS heap'], ['wasm', 'Wasm memory'], ['page', 'page renderer heap (content script included)']]) {
    bench(`limits: ${RECHECKS} re-checks, ${name}`, `${mb(mem0[k])} → ${mb(first.mem[k])} → ${mb(last.mem[k])} MB`, 'flat (last chunk within 10% + 1 MB of the first)', 'start → first chunk → last chunk', flat(k) ? 'met' : 'missed');
  }

  // A 2 MB Callback URL field: lines of URLs, as a paste gone wrong would be. Chromium itself takes
  // seconds to lay out such a textarea, so the same is done in a browser without the extension,
  // in the same run: the reference.
  const bare = await launch({ ext: null, server: env.server });
  let ref;
  try {
    const p = await bare.ctx.newPage();
    await p.goto(env.formUrl());
    await form.check(p, 'Enable OAuth', true);
    ref = await p.evaluate(BIG_FIELD);
  } finally {
    await bare.close();
  }
  const big = await page.evaluate(BIG_FIELD);
  const text = big.ms === null ? 'not marked within 30 s' : `marked in ${big.ms.toFixed(0)} ms, longest frame gap ${big.gap.toFixed(0)} ms`;
  console.log(`limits: a ${(big.chars / 1048576).toFixed(1)} MB Callback URL field: ${text}; without the extension the longest frame gap was ${ref.gap.toFixed(0)} ms`);
  bench('limits: 2 MB Callback URL field', text, 'marked; frame gap <= 100 ms more than without the extension', `no extension: frame gap ${ref.gap.toFixed(0)} ms (load ${loadavg()})`, big.ms !== null && big.gap <= ref.gap + 100 ? 'met' : 'missed');
  console.log(`limits: load average ${load0} → ${loadavg()}`);
  await cdp.detach();
  await page.close();
} finally {
  await env.close();
}
