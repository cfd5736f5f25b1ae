#!/usr/bin/env node
// Mutation run over the extension's JS: applies one breakage at a time (scripts/mutants-js.mjs),
// runs the browser test that must catch it, restores, and reports caught / survived.
//
//   node scripts/mutate-js.mjs [name-substring]    (./build.sh mutants runs it after cargo-mutants)
//
// The browser tests load dist/chromium, which build.sh assembles by copying extension/ as it is
// (only manifest.json is rewritten), except the worker: build.sh bundles background.js and its
// imports (worker/*.js) into one dist/chromium/background.js with esbuild. A mutant of a content
// or page file is written into that copy alone; a mutant of a worker file is written into a
// scratch copy of extension/ and bundled from there into dist/chromium/background.js (the
// bundle is put back afterwards). No Wasm rebuild is needed and the source tree is never touched. A mutant of a
// fixture (tests/fixtures/, served from the tree) is written in place and put back afterwards,
// also on Ctrl-C. Before the mutants, each test it uses runs once unmutated: a test that fails
// then would "catch" everything, so its mutants are reported as not run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MUTANTS } from './mutants-js.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const E2E = join(ROOT, 'tests/e2e');
const DIST = join(ROOT, 'dist/chromium');

const ESBUILD = join(E2E, 'node_modules/.bin/esbuild');
const BUNDLE = join(DIST, 'background.js');

/** Whether `file` reaches the tests inside the worker's bundle (build.sh, esbuild). */
const bundled = (file) => file === 'extension/background.js' || file.startsWith('extension/worker/');

/** Where the tests read `file` from: the built copy for extension files, else the file itself. */
function target(file) {
  return file.startsWith('extension/') ? join(DIST, file.slice('extension/'.length)) : join(ROOT, file);
}

/** Bundles the worker from `extensionDir` into `out`, as build.sh does. */
function bundle(extensionDir, out) {
  const r = spawnSync(ESBUILD, [join(extensionDir, 'background.js'), '--bundle', '--format=esm', '--log-level=warning', '--allow-overwrite', `--outfile=${out}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr || r.error}`);
}

/** Writes mutant `m` where the tests load it; returns the function that puts things back. */
function apply(m) {
  if (bundled(m.file)) {
    const original = readFileSync(BUNDLE);
    const scratch = mkdtempSync(join(tmpdir(), 'eca-guard-mutant-'));
    try {
      cpSync(join(ROOT, 'extension'), scratch, { recursive: true });
      const src = join(scratch, m.file.slice('extension/'.length));
      writeFileSync(src, readFileSync(src, 'utf8').replace(m.search, () => m.replace));
      bundle(scratch, BUNDLE);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return () => writeFileSync(BUNDLE, original);
  }
  const path = target(m.file);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, original.replace(m.search, () => m.replace));
  return () => writeFileSync(path, original);
}

const only = process.argv[2] || '';
const mutants = MUTANTS.filter((m) => m.name.includes(only));
if (!existsSync(join(DIST, 'manifest.json'))) {
  console.error('no dist/chromium: run ./build.sh build first');
  process.exit(2);
}

// Every mutant applies to what the tests load, and that is what the tree says (a stale dist/
// would test another product).
// The worker's bundle as the tree would build it now.
if (mutants.some((m) => bundled(m.file))) {
  const fresh = join(mkdtempSync(join(tmpdir(), 'eca-guard-bundle-')), 'background.js');
  bundle(join(ROOT, 'extension'), fresh);
  if (readFileSync(fresh, 'utf8') !== readFileSync(BUNDLE, 'utf8')) {
    console.error('dist/chromium/background.js is not the bundle of extension/: run ./build.sh build first');
    process.exit(2);
  }
  rmSync(dirname(fresh), { recursive: true, force: true });
}
for (const m of mutants) {
  const source = bundled(m.file) ? join(ROOT, m.file) : target(m.file);
  const text = readFileSync(source, 'utf8');
  if (m.file.startsWith('extension/') && !bundled(m.file) && text !== readFileSync(join(ROOT, m.file), 'utf8')) {
    console.error(`dist/chromium/${m.file.slice(10)} differs from ${m.file}: run ./build.sh build first`);
    process.exit(2);
  }
  const n = text.split(m.search).length - 1;
  if (n !== 1) {
    console.error(`mutant "${m.name}": its search text occurs ${n} times in ${m.file} (must be once; the code changed?)`);
    process.exit(2);
  }
}

let restore = null; // puts back the file under mutation
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (restore) restore();
    process.exit(130);
  });
}

/** Runs one test file, only the tests matching `pattern`: passed, how many ran and failed. A
 * pattern that names no test would pass whatever the code does, hence the count. */
function runCounted(file, pattern) {
  const args = ['--test', '--test-concurrency=1', '--test-reporter=tap'];
  if (pattern) args.push(`--test-name-pattern=${pattern}`);
  args.push(file);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: E2E, encoding: 'utf8', timeout: 15 * 60 * 1000, maxBuffer: 64 << 20 });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  const count = (k) => Number((out.match(new RegExp(`^# ${k} (\\d+)`, 'm')) || [])[1] || 0);
  return { passed: r.status === 0, ran: count('pass') + count('fail'), failed: count('fail'), secs: Math.round((Date.now() - t0) / 1000), out };
}

const baseline = new Map();
for (const m of mutants) {
  const key = `${m.test} ${m.pattern}`;
  if (baseline.has(key)) continue;
  process.stdout.write(`baseline: ${m.test} /${m.pattern}/ … `);
  const r = runCounted(m.test, m.pattern);
  baseline.set(key, r.passed && r.ran > 0);
  console.log(r.passed && r.ran > 0 ? `green (${r.ran} tests, ${r.secs}s)` : r.ran === 0 ? 'NO TEST MATCHES' : `RED (${r.secs}s)\n${tail(r.out)}`);
}

/** The failing tests' lines of a TAP log, and the error after each. */
function tail(out) {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => /^\s*not ok/.test(l));
  return at < 0 ? '' : lines.slice(at, at + 12).map((l) => `    ${l.trim()}`).join('\n');
}

const results = [];
for (const m of mutants) {
  const key = `${m.test} ${m.pattern}`;
  if (!baseline.get(key)) {
    results.push({ m, verdict: 'not run (its test is not green unmutated)' });
    continue;
  }
  restore = apply(m);
  let r;
  try {
    process.stdout.write(`mutant: ${m.name} … `);
    r = runCounted(m.test, m.pattern);
  } finally {
    restore();
    restore = null;
  }
  const verdict = r.passed ? 'SURVIVED' : 'caught';
  console.log(`${verdict} (${m.test}, ${r.failed} failing, ${r.secs}s)`);
  results.push({ m, verdict });
}

console.log('\nJS mutants:');
for (const { m, verdict } of results) console.log(`  ${verdict.padEnd(8)}  ${m.name}  [${m.file} → ${m.test}]`);
const caught = results.filter((r) => r.verdict === 'caught').length;
const survived = results.filter((r) => r.verdict === 'SURVIVED').length;
console.log(`JS mutants: ${caught} caught, ${survived} survived, ${results.length - caught - survived} not run, of ${results.length}`);
process.exit(survived || caught + survived < results.length ? 1 : 0);
