// The store packages `./build.sh build` writes (docs/toolchain.md, "Packages"): the Chrome Web
// Store zip and the Firefox .xpi, read back with fflate (another zip implementation than the one
// that wrote them). Each has manifest.json at its root; its version and the Wasm core's own
// `version()` inside the archive equal the root Cargo.toml's [package] version; every file the
// manifest names (background, content scripts, popup, options, icons, managed schema,
// web-accessible resources), every script or stylesheet a packaged page loads, every module a
// packaged script imports and every `pkg/` file a script names is in the archive; and nothing
// that belongs to development is: tests or fixtures, `.demo`, node_modules, source maps, keys,
// dot files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unzipSync, strFromU8 } from 'fflate';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The core crate's version: the `version` of the root Cargo.toml's [package] table. */
function cargoVersion() {
  const toml = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const table = toml.split(/^\[/m).find((t) => t.startsWith('package]'));
  return table.match(/^version\s*=\s*"([^"]+)"/m)[1];
}

const VERSION = cargoVersion();
const PACKAGES = [
  { browser: 'chromium', file: `dist/eca-guard-chromium-${VERSION}.zip` },
  { browser: 'firefox', file: `dist/eca-guard-firefox-${VERSION}.xpi` },
];

/** Every path the manifest names, relative to the archive's root. */
function manifestFiles(m) {
  const out = [];
  const icons = (v) => (typeof v === 'string' ? [v] : Object.values(v || {}));
  if (m.background?.service_worker) out.push(m.background.service_worker);
  out.push(...(m.background?.scripts || []), m.background?.page);
  for (const cs of m.content_scripts || []) out.push(...(cs.js || []), ...(cs.css || []));
  out.push(m.options_ui?.page, m.options_page, m.action?.default_popup, m.storage?.managed_schema);
  out.push(...icons(m.icons), ...icons(m.action?.default_icon));
  for (const w of m.web_accessible_resources || []) out.push(...(typeof w === 'string' ? [w] : w.resources));
  return out.filter(Boolean).map((p) => p.replace(/^\//, ''));
}

/** The content scripts and styles the worker injects where a page is found (worker/inject.js). */
function injectedFiles(files) {
  const text = files['worker/inject.js'] ? strFromU8(files['worker/inject.js']) : '';
  return [...text.matchAll(/^\s*'(content\/[\w./-]+\.(?:js|css))',?$/gm)].map((m) => m[1]).concat([...text.matchAll(/\['(content\/[\w./-]+\.css)'\]/g)].map((m) => m[1]));
}

/** What packaged pages and scripts load: pages' src/href, scripts' relative imports, `pkg/` names. */
function referencedFiles(files) {
  const out = [];
  for (const [name, bytes] of Object.entries(files)) {
    const dir = posix.dirname(name);
    const text = /\.(html|js)$/.test(name) ? strFromU8(bytes) : '';
    if (name.endsWith('.html')) {
      for (const [, ref] of text.matchAll(/\b(?:src|href)="([^"#?]+)"/g)) {
        if (!/^[a-z]+:/.test(ref)) out.push({ from: name, path: posix.normalize(posix.join(dir, ref)) });
      }
    }
    if (name.endsWith('.js')) {
      for (const [, ref] of text.matchAll(/\b(?:import|from)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        out.push({ from: name, path: posix.normalize(posix.join(dir, ref)) });
      }
      for (const [, ref] of text.matchAll(/['"`]((?:\.\.\/)*pkg\/[\w.-]+)['"`]/g)) {
        out.push({ from: name, path: posix.normalize(ref.replace(/^(\.\.\/)+/, '')) });
      }
    }
  }
  return out;
}

/** Paths that belong to development, never to a store package. */
const FORBIDDEN = [
  [/(^|\/)(tests?|fixtures|e2e)\//, 'tests or fixtures'],
  [/(^|\/)node_modules\//, 'node_modules'],
  [/(^|\/)\.demo(\/|$)/, 'the demo data directory'],
  [/\.map$/, 'a source map'],
  [/\.(pem|key|p12|crx|sqlite3)$|(^|\/)server\.key$/, 'a key or a store'],
  [/(^|\/)\./, 'a dot file'],
];

for (const { browser, file } of PACKAGES) {
  test(`${browser} package ${file}: manifest at the root, Cargo.toml's version, every referenced file, nothing from development`, async (t) => {
    const path = join(ROOT, file);
    if (!existsSync(path)) return t.skip(`no package at ${path}: run ./build.sh build`);
    const files = unzipSync(readFileSync(path));
    const names = Object.keys(files).filter((n) => !n.endsWith('/'));
    for (const n of names) assert.ok(!n.startsWith('/') && !n.includes('\\') && !n.split('/').includes('..'), `unsafe entry name ${n}`);
    assert.ok(names.includes('manifest.json'), `manifest.json at the archive's root: ${names.slice(0, 5).join(', ')}…`);
    const manifest = JSON.parse(strFromU8(files['manifest.json']));
    assert.equal(manifest.version, VERSION, "the manifest's version is Cargo.toml's");
    if (browser === 'firefox') {
      assert.ok(manifest.browser_specific_settings?.gecko?.id, 'a Firefox package names its add-on id');
      assert.equal(manifest.background.service_worker, undefined);
    } else {
      assert.equal(manifest.browser_specific_settings, undefined);
      assert.equal(manifest.background.scripts, undefined);
    }

    const injected = injectedFiles(files);
    assert.ok(injected.length > 10 && injected.includes('content/main.js') && injected.some((f) => f.endsWith('.css')), `the worker injects the content scripts: ${injected.join(', ')}`);
    const named = [...manifestFiles(manifest), ...injected];
    assert.ok(named.length > 10, `the manifest names its files: ${named.join(', ')}`);
    for (const n of named) assert.ok(names.includes(n), `the manifest names ${n}, which is not in the archive`);
    const refs = referencedFiles(files);
    assert.ok(refs.some((r) => r.path.endsWith('_bg.wasm')), 'a script names the Wasm modules');
    for (const r of refs) assert.ok(names.includes(r.path), `${r.from} loads ${r.path}, which is not in the archive`);
    for (const n of names) {
      for (const [re, what] of FORBIDDEN) assert.ok(!re.test(n), `${n} is ${what}`);
      if (/\.(js|css)$/.test(n)) assert.ok(!strFromU8(files[n]).includes('sourceMappingURL'), `${n} points at a source map`);
    }

    // The Wasm core inside the archive says the same version.
    const dir = mkdtempSync(join(tmpdir(), 'eca-guard-package-'));
    try {
      mkdirSync(join(dir, 'pkg'));
      for (const n of ['pkg/eca_guard.js', 'pkg/eca_guard_bg.wasm']) writeFileSync(join(dir, n), files[n]);
      const core = await import(pathToFileURL(join(dir, 'pkg/eca_guard.js')).href);
      core.initSync({ module: files['pkg/eca_guard_bg.wasm'] });
      assert.equal(core.version(), VERSION, "the Wasm core's version is Cargo.toml's");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the packages are reproducible: entries in byte order, one timestamp, no extra fields', (t) => {
  const path = join(ROOT, PACKAGES[0].file);
  if (!existsSync(path)) return t.skip(`no package at ${path}: run ./build.sh build`);
  const buf = readFileSync(path);
  // The central directory (APPNOTE.TXT 4.3.12): name, DOS time/date and extra length per entry.
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = buf.readUInt32LE(end + 16);
  const entries = [];
  for (let i = buf.readUInt16LE(end + 10); i > 0; i--) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory header');
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLen), time: buf.readUInt32LE(at + 12), extraLen });
    at += 46 + nameLen + extraLen + commentLen;
  }
  const names = entries.map((e) => e.name);
  assert.deepEqual(names, [...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1)), 'entries in byte order');
  assert.equal(new Set(entries.map((e) => e.time)).size, 1, 'one timestamp for every entry');
  assert.deepEqual([...new Set(entries.map((e) => e.extraLen))], [0], 'no extra fields (uid/gid, extended times)');
});
