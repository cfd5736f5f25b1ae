// Bench step for `./build.sh bench` (printed, not asserted): what the content script costs on a
// classic Setup page inside Lightning's Aloha iframe.
// - per page load: the content script's own synchronous work in the iframe (reader detect +
//   read + paint, timed by content/perf.js) from load until the page is checked and painted,
//   and the same in the Lightning top frame (which has nothing to read);
// - idle: with the page open and nothing changing for 5 s, how many times the content script
//   ran (detect/read/paint calls) and the renderer's TaskDuration/ScriptDuration growth (CDP
//   Performance.getMetrics, whole page including the iframe).
// Target: under 2 ms per load, no work while nothing changes.
import { launch } from './harness.mjs';
import { alohaFrame, classicMarks, perfByFrame } from './org-harness.mjs';
import { bench, loadavg } from './bench-table.mjs';

// 60 loads per page: with 20 the median moved between 1.2 and 2.4 ms from run to run on the same
// build, across the 2 ms target; 60 keep it within a few tenths (about a minute more).
const LOADS = Number(process.env.BENCH_LOADS || 60);
const IDLE_MS = 5000;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms (n=${xs.length})`;

function frameIdOf({ frameTree }, url) {
  const walk = (t) => (t.frame.url === url ? t.frame.id : (t.childFrames || []).map(walk).find(Boolean));
  return walk(frameTree);
}

const total = (p) => (p ? p.detect.ms + p.read.ms + p.paint.ms : 0);
const idleMs = (p) => (p && p.idle ? p.idle.ms : 0); // the collapsed panel's list, built when the page is idle
const calls = (p) => (p ? p.detect.n + p.read.n + p.paint.n + (p.idle ? p.idle.n : 0) : 0);

const env = await launch();
try {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://203.0.113.10'] } });
  const pages = {
    'Session Settings': '/lightning/setup/SecuritySession/home',
    'Network Access': '/lightning/setup/NetworkAccess/home',
    'Connected App (edit)': '/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppEdit.apexp',
  };
  for (const [name, path] of Object.entries(pages)) {
    const inFrame = [];
    const readerMs = [];
    const paintMs = [];
    const inTop = [];
    const idleWork = [];
    let idle = null;
    let warm = NaN;
    for (let i = 0; i < LOADS; i++) {
      const page = await env.ctx.newPage();
      const cdp = await env.ctx.newCDPSession(page);
      const contexts = new Map();
      cdp.on('Runtime.executionContextCreated', (e) => contexts.set(e.context.id, e.context));
      cdp.on('Runtime.executionContextDestroyed', (e) => contexts.delete(e.executionContextId));
      await cdp.send('Runtime.enable');
      await page.goto(`https://bad.my.salesforce-setup.com:${env.server.port}${path}`);
      await classicMarks(page, (m) => m.panel && m.marks.length, `${name} checked`);
      await page.waitForTimeout(250); // settle: late mutations, the worker's reply painted
      const perf = await perfByFrame(cdp, contexts.values());
      const frameUrl = alohaFrame(page).url();
      inFrame.push(total(perf[frameUrl]));
      readerMs.push(perf[frameUrl].detect.ms + perf[frameUrl].read.ms);
      paintMs.push(perf[frameUrl].paint.ms);
      idleWork.push(idleMs(perf[frameUrl]));
      inTop.push(total(perf[page.url()]));
      if (i === LOADS - 1) {
        // Warm: the same reader on the same page, 200 times (what each later page change costs).
        const fid = frameIdOf(await cdp.send('Page.getFrameTree'), frameUrl);
        const ctx = [...contexts.values()].find((c) => c.name === 'ECA Guard' && c.auxData.frameId === fid);
        if (ctx) {
          const r = await cdp.send('Runtime.evaluate', {
            contextId: ctx.id,
            returnByValue: true,
            expression: `(() => { const r = ecaGuard.readers.find((x) => x.detect(document)); const t = performance.now();
              for (let i = 0; i < 200; i++) { r.detect(document); r.read(document); } return (performance.now() - t) / 200; })()`,
          });
          warm = r.result.value;
        }
        await cdp.send('Performance.enable');
        const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
        const before = { perf: await perfByFrame(cdp, contexts.values()), m: await metric() };
        await page.waitForTimeout(IDLE_MS);
        const after = { perf: await perfByFrame(cdp, contexts.values()), m: await metric() };
        let runs = 0;
        for (const url of Object.keys(after.perf)) runs += calls(after.perf[url]) - calls(before.perf[url]);
        idle = {
          runs,
          task: (after.m.TaskDuration - before.m.TaskDuration) * 1000,
          script: (after.m.ScriptDuration - before.m.ScriptDuration) * 1000,
        };
      }
      await cdp.detach();
      await page.close();
    }
    console.log(`classic page in the Aloha iframe, ${name}: content-script work per load in the iframe ${fmt(inFrame)} (target < 2 ms)`);
    console.log(`  of which reading (detect + read) ${fmt(readerMs)}; painting marks and panel ${fmt(paintMs)}; Lightning top frame (nothing to read) ${fmt(inTop)}`);
    console.log(`  later, when the page is idle: the collapsed panel's UI (header, findings list, its placing) and the marked inputs' descriptions ${fmt(idleWork)}`);
    console.log(`  warm (page already read, e.g. after a change): detect + read ${warm.toFixed(3)} ms per run`);
    console.log(`  idle ${IDLE_MS / 1000} s with the page open: ${idle.runs} content-script runs, renderer TaskDuration +${idle.task.toFixed(1)} ms, ScriptDuration +${idle.script.toFixed(2)} ms (target: no runs)`);
    bench(`classic page in the iframe, ${name}: content-script work per load (p50)`, `${pct(inFrame, 50).toFixed(2)} ms (p95 ${pct(inFrame, 95).toFixed(2)})`, '< 2 ms', `Lightning top frame ${pct(inTop, 50).toFixed(2)} ms (load ${loadavg()})`, pct(inFrame, 50) < 2 ? 'met' : 'missed');
    bench(`classic page in the iframe, ${name}: idle ${IDLE_MS / 1000} s`, `${idle.runs} content-script runs`, 'no runs', '—', idle.runs === 0 ? 'met' : 'missed');
  }
} finally {
  await env.close();
}
