// Bench step for `./build.sh bench` (printed, not asserted): what ECA Guard adds to a Setup
// page's load event. Headless Chromium browsers on one fixture server, one without any extension
// (the reference) and one with ECA Guard (dist/chromium; BENCH_BEFORE=<dir> adds a third with
// another build, e.g. the one before a change), loaded in turn, interleaved page by page and
// browser by browser, so that the machine's load falls on all of them alike. Each load is a new
// tab; the figure is the Navigation Timing API's loadEventEnd (ms since the navigation started)
// of the top document, which includes the Aloha iframe's own load on a classic page.
//
// Pages: the New ECA form (checked), a classic page in Setup's iframe (Session Settings,
// checked inside the frame), and a page with nothing to check (the ECA Manager's list).
// Target: at most 5 ms more than without the extension on the page with nothing to check, and
// no more than Salesforce Inspector Reloaded anywhere (not measured here: it is on no package
// registry this machine reaches; docs/toolchain.md). Medians and p90 of LOADS loads each.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { startServer } from '../fixtures/serve.mjs';
import { EXT, launch } from './harness.mjs';
import { bench, loadavg } from './bench-table.mjs';

const LOADS = Number(process.env.BENCH_LOADS || 40);
const WARMUP = 3;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const PAGES = {
  'New ECA form': '/lightning/setup/ManageExternalClientApplication/new',
  'classic page in the iframe (Session Settings)': '/lightning/setup/SecuritySession/home',
  'nothing to check (ECA Manager list)': '/lightning/setup/ManageExternalClientApplication/home',
};

/** loadEventEnd of a new tab's load of `url`, in ms since its navigation started. */
async function loadTime(ctx, url) {
  const page = await ctx.newPage();
  try {
    await page.goto(url, { waitUntil: 'load' });
    return await page.evaluate(async () => {
      for (;;) {
        const [nav] = performance.getEntriesByType('navigation');
        if (nav && nav.loadEventEnd > 0) return nav.loadEventEnd - nav.startTime;
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  } finally {
    await page.close();
  }
}

const server = await startServer({ port: 0 });
const browsers = [];
try {
  const version = (dir) => JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8')).version;
  browsers.push({ name: 'no extension', env: await launch({ ext: null, server }) });
  browsers.push({ name: 'ECA Guard', env: await launch({ server }) });
  if (process.env.BENCH_BEFORE) browsers.push({ name: `ECA Guard, ${process.env.BENCH_BEFORE} (${version(process.env.BENCH_BEFORE)})`, env: await launch({ ext: resolve(process.env.BENCH_BEFORE), server }) });
  for (const b of browsers) if (b.env.setSettings) await b.env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'] } });
  const times = {}; // page → browser → [ms]
  const load0 = loadavg();
  for (let i = 0; i < WARMUP + LOADS; i++) {
    for (const [name, path] of Object.entries(PAGES)) {
      times[name] = times[name] || {};
      // Alternate who goes first, so neither always follows the other's load.
      const order = i % 2 ? [...browsers].reverse() : browsers;
      for (const b of order) {
        const ms = await loadTime(b.env.ctx, `https://acme.my.salesforce-setup.com:${server.port}${path}`);
        if (i < WARMUP) continue;
        (times[name][b.name] = times[name][b.name] || []).push(ms);
      }
    }
  }
  const load1 = loadavg();
  console.log(`page load (loadEventEnd since navigation start, ${LOADS} loads each, interleaved; load average ${load0} → ${load1}); ECA Guard from ${EXT}`);
  for (const [name, byBrowser] of Object.entries(times)) {
    const ref = byBrowser['no extension'];
    for (const [b, xs] of Object.entries(byBrowser)) {
      const added = b === 'no extension' ? '' : `; added: median ${(pct(xs, 50) - pct(ref, 50)).toFixed(1)} ms, p90 ${(pct(xs, 90) - pct(ref, 90)).toFixed(1)} ms`;
      console.log(`  ${name}, ${b}: median ${pct(xs, 50).toFixed(1)} ms, p90 ${pct(xs, 90).toFixed(1)} ms${added}`);
    }
    const ours = byBrowser['ECA Guard'];
    const added = pct(ours, 50) - pct(ref, 50);
    const nothing = /nothing to check/.test(name);
    const other = Object.keys(byBrowser).find((b) => b.startsWith('ECA Guard, '));
    const before = other ? `; ${other.replace(/^ECA Guard, /, '')} added ${(pct(byBrowser[other], 50) - pct(ref, 50)).toFixed(1)} ms` : '';
    bench(`page load, ${name}: added by ECA Guard (median)`, `${added.toFixed(1)} ms (${pct(ours, 50).toFixed(1)} vs ${pct(ref, 50).toFixed(1)} ms; p90 ${pct(ours, 90).toFixed(1)} vs ${pct(ref, 90).toFixed(1)})`,
      nothing ? '<= 5 ms' : '<= Inspector Reloaded (≈ 12.5 ms, docs/toolchain.md)', `no extension, same run, ${LOADS} loads${before}`, added <= (nothing ? 5 : 12.5) ? 'met' : 'missed');
  }
} finally {
  for (const b of browsers) await b.env.close();
  await server.close();
}
