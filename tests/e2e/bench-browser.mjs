// Browser figures for `./build.sh bench` (printed, not asserted), all in one headless Chromium:
// - bare content-script ↔ worker round trips (`ping`): one-off sendMessage, and the open port;
// - keystroke-to-highlight: an input event in the Callback URL field until the mark on its host
//   changes, observed from the page; paced like typing, and back to back as a stress figure;
// - service worker cold start to first result: the worker target is closed over CDP, then the
//   content script's next check is timed; next to it, in the same run, the same for a `ping` and
//   for a bare worker (bare-extension/, loaded alongside): Chromium's own floor.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { form, inContentScript, launch } from './harness.mjs';
import { bench, loadavg } from './bench-table.mjs';
import { FIND_CALLBACK, KEYSTROKE } from './bench-keys.mjs';

const BARE = join(dirname(fileURLToPath(import.meta.url)), 'bare-extension');

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms (n=${xs.length})`;

const env = await launch({ also: [BARE] });
try {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  for (const shadow of ['synthetic', 'native']) {
    const page = await env.ctx.newPage();
    await page.goto(env.formUrl(shadow === 'native' ? { shadow } : {}));
    await form.check(page, 'Enable OAuth', true);
    await page.waitForTimeout(300);

    // Two floors: a one-off runtime.sendMessage (the "bare message round trip" of docs/toolchain.md)
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

    // Stress: keystrokes back to back, each the moment the previous highlight changed, so the
    // page renders only when a frame falls due mid-keystroke. That frame (style, layout, paint,
    // commit of the previous highlight: 2-5 ms here) runs on the page's main thread while the
    // reply waits; in a Chromium trace most keystrokes over 2 ms overlapped one (the rest a GC),
    // none under 2 ms did. The pings above change nothing on the page and never wait for a frame,
    // so this is not the figure the 1.5× target is about; it is kept to show the worst case.
    const stress = await page.evaluate(`(async () => {
      const { host, ta } = ${FIND_CALLBACK};
      const key = ${KEYSTROKE};
      const xs = [];
      for (let i = 0; i < 300; i++) {
        const ms = await key(host, ta, i);
        if (i >= 20) xs.push(ms);
      }
      return xs;
    })()`);

    // Paced like typing: a person's next key comes after the previous highlight was on screen
    // (people type at 50 ms a key or slower), so each keystroke here comes 30 ms after the last
    // highlight changed. The bare round trips get the same pacing, interleaved in the same loop
    // (everything 30 ms after the previous one finished), and each comes after the change a
    // keystroke makes to the textarea (its value, without an input event, so ECA Guard does not
    // see it): after an idle gap the browser renders such a change at once, and the reply often
    // waits for that frame (in a trace: every paced keystroke, about half of the bare port pings;
    // 1.5-2 ms frames). The bare sendMessage on an unchanged page is printed too.
    const paced = await inContentScript(
      env,
      page,
      `(async () => {
        const { host, ta } = ${FIND_CALLBACK};
        const key = ${KEYSTROKE};
        const gap = () => new Promise((r) => setTimeout(r, 30));
        const time = async (call) => { const t = performance.now(); await call(); return performance.now() - t; };
        const change = () => { ta.value += ' '; };
        const out = { key: [], msg: [], port: [], msgUnchanged: [] };
        for (let i = 0; i < 210; i++) {
          await gap();
          const k = await key(host, ta, i);
          await gap();
          change();
          const m = await time(() => chrome.runtime.sendMessage({ type: 'ping' }));
          await gap();
          change();
          const p = await time(() => ecaGuard.send({ type: 'ping' }));
          await gap();
          const u = await time(() => chrome.runtime.sendMessage({ type: 'ping' }));
          if (i < 10) continue;
          out.key.push(k); out.msg.push(m); out.port.push(p); out.msgUnchanged.push(u);
        }
        return out;
      })()`
    );

    const x = (a, b) => (pct(a, 99) / pct(b, 99)).toFixed(2);
    console.log(`round trip content script ↔ worker, sendMessage (${shadow}): ${fmt(ping)}`);
    console.log(`round trip content script ↔ worker, open port as used for checks (${shadow}): ${fmt(portPing)}`);
    console.log(`keystroke-to-highlight, paced like typing (${shadow}): ${fmt(paced.key)}; p99 = ${x(paced.key, paced.msg)}× the bare sendMessage round trip p99 with the same pacing (target <= 1.5×), ${x(paced.key, paced.port)}× the open port's`);
    console.log(`  bare round trips, same pacing, after the same textarea change: sendMessage ${fmt(paced.msg)}; open port ${fmt(paced.port)}`);
    console.log(`  bare sendMessage, same pacing, page unchanged: ${fmt(paced.msgUnchanged)} (keystroke p99 = ${x(paced.key, paced.msgUnchanged)}× this)`);
    console.log(`keystroke-to-highlight, stress: back to back (${shadow}): ${fmt(stress)}; p99 = ${x(stress, ping)}× the back-to-back sendMessage p99 (${x(stress, portPing)}× the open port's), p50 = ${(pct(stress, 50) / pct(ping, 50)).toFixed(2)}× its p50`);
    const v = (ratio, target) => (ratio <= target ? 'met' : 'missed');
    bench(`keystroke-to-highlight, paced like typing (${shadow}), p99`, `${pct(paced.key, 99).toFixed(2)} ms = ${x(paced.key, paced.msg)}×`, '<= 1.5× the bare round trip p99', `bare sendMessage p99 ${pct(paced.msg, 99).toFixed(2)} ms, same pacing (load ${loadavg()})`, v(pct(paced.key, 99) / pct(paced.msg, 99), 1.5));
    bench(`keystroke-to-highlight, stress: back to back (${shadow}), p99`, `${pct(stress, 99).toFixed(2)} ms = ${x(stress, ping)}×`, '<= 2× the bare round trip p99', `bare sendMessage back to back p99 ${pct(ping, 99).toFixed(2)} ms (load ${loadavg()})`, v(pct(stress, 99) / pct(ping, 99), 2));
    await page.close();
  }

  // Cold start: kill a worker, then time the next message from its content script. Ours with a
  // check (the figure), ours with a ping (no Wasm call, no settings), and the bare worker's ping
  // (bare-extension/: no imports, no Wasm): the floor Chromium sets, killing a worker also ends
  // its extension's process, so a cold start includes starting a process.
  const page = await env.ctx.newPage();
  await page.goto(env.formUrl());
  await page.waitForTimeout(300);
  const bareSw = env.ctx.serviceWorkers().find((w) => w.url().endsWith('/bare-worker.js'));
  if (!bareSw) throw new Error('bare worker not running');
  const bareId = new URL(bareSw.url()).host;
  async function kill(extId) {
    const cdp = await env.ctx.browser().newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extId}/`));
    if (!sw) throw new Error('no worker target');
    await cdp.send('Target.closeTarget', { targetId: sw.targetId });
    await cdp.detach();
    await page.waitForTimeout(300);
  }
  /** ms from sending (`send`, an expression in the content-script world `world`) to an ok reply. */
  const timed = (world, prepare, send) =>
    inContentScript(
      env,
      page,
      `(async () => { ${prepare}; const t = performance.now(); const r = await ${send};
        if (!r.ok) throw new Error(JSON.stringify(r)); return { ms: performance.now() - t, sent: performance.timeOrigin + t }; })()`,
      world
    );
  const cold = [];
  const coldPing = [];
  const coldBare = [];
  const starts = [];
  for (let i = 0; i < 9; i++) {
    await kill(env.extId);
    const snap = 'const snap = ecaGuard.readers[0].read(document).snapshot';
    const c = await timed('ECA Guard', snap, `ecaGuard.send({type: 'check', snapshot: snap}).then((r) => (r.result ? r : {ok: false, r}))`);
    cold.push(c.ms);
    const st = await inContentScript(env, page, `ecaGuard.send({type: 'timings'})`);
    if (!st.ok) throw new Error('timings: ' + JSON.stringify(st));
    // The worker's milestones in ms since the check was sent (both clocks are the epoch's).
    const since = st.timings.origin - c.sent;
    starts.push(Object.fromEntries(['moduleStart', 'wasmReady', 'firstCheck'].map((k) => [k, since + st.timings[k]]).concat([['origin', since]])));
    await kill(env.extId);
    coldPing.push((await timed('ECA Guard', '', `ecaGuard.send({type: 'ping'})`)).ms);
    await kill(bareId);
    coldBare.push((await timed('Bare worker (bench floor)', '', `bare.send({type: 'ping'})`)).ms);
  }
  const m = (xs) => pct(xs, 50).toFixed(1);
  console.log(`service worker cold start to first result: median ${m(cold)} ms, max ${Math.max(...cold).toFixed(1)} ms (n=${cold.length}; target <= 20 ms)`);
  console.log(`  same run, median: cold ping to the same worker ${m(coldPing)} ms; cold ping to a bare worker (Chromium's floor: extension process + worker start + message) ${m(coldBare)} ms`);
  const ratio = pct(cold, 50) / pct(coldBare, 50);
  bench('worker cold start to first result (median)', `${m(cold)} ms = ${ratio.toFixed(2)}×`, '<= 1.2× a bare worker\'s cold ping', `bare worker cold ping ${m(coldBare)} ms (load ${loadavg()})`, ratio <= 1.2 ? 'met' : 'missed');
  const med = (k) => pct(starts.map((s) => s[k]), 50).toFixed(1);
  console.log(`  the check's way (median, ms since it was sent): worker started ${med('origin')} (Chromium), core.js evaluated ${med('moduleStart')}, Wasm ready ${med('wasmReady')}, first check done ${med('firstCheck')} (Wasm functions compile on first call), reply in the page ${m(cold)}`);
} finally {
  await env.close();
}
