// The one message protocol (extension/protocol.js) against the code that uses it, without
// a browser: every message type is spelled only there, every handler has its entry and every entry
// its handler, and the error kinds cover the core's (src/error.rs) and the worker's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const EXT = join(ROOT, 'extension');

globalThis.chrome = { runtime: {} };
await import(join(EXT, 'protocol.js'));
const { MESSAGES, ERROR_KINDS, TYPES } = globalThis.ecaGuardProtocol;

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'pkg' ? [] : files(p);
    return p.endsWith('.js') ? [p] : [];
  });
}
const sources = files(EXT).filter((p) => p !== join(EXT, 'protocol.js')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

test('no message type is spelled outside the protocol', () => {
  const types = Object.keys(MESSAGES).join('|');
  const literal = new RegExp(`(type\\s*(:|===|==)\\s*|\\[)['"\`](${types})['"\`]`, 'g');
  const found = sources.flatMap(({ path, text }) => [...text.matchAll(literal)].map((m) => `${path}: ${m[0]}`));
  assert.deepEqual(found, []);
});

test('every handler has a protocol entry, and every entry a handler', () => {
  const handled = new Set();
  for (const { path, text } of sources.filter((s) => s.path.includes('/worker/'))) {
    const block = text.split('export const handlers = {')[1];
    if (!block) continue;
    for (const m of block.split('\n};')[0].matchAll(/\[T\.(\w+)\]:/g)) {
      assert.ok(Object.hasOwn(MESSAGES, m[1]), `${path}: ${m[1]} is not in the protocol`);
      handled.add(m[1]);
    }
  }
  const toWorker = Object.entries(MESSAGES).filter(([, m]) => m.from !== 'worker' && m.to !== 'content').map(([t]) => t);
  assert.deepEqual(toWorker.filter((t) => !handled.has(t)), [], 'messages to the worker without a handler');
  for (const [t, m] of Object.entries(MESSAGES)) {
    assert.ok(['content', 'extension', 'any', 'worker'].includes(m.from), t);
    assert.ok(m.to === undefined || (m.to === 'content' && ['extension', 'worker'].includes(m.from)), `${t}: only our pages and the worker message content scripts`);
    if (m.to === 'content') assert.ok(!handled.has(t), `${t} goes to content scripts, not to a worker handler`);
    assert.equal(TYPES[t], t);
  }
});

test('the worker accepts only what the protocol says of each sender', async () => {
  const bg = readFileSync(join(EXT, 'background.js'), 'utf8');
  assert.match(bg, /MESSAGES\[type\]\.from/, 'background.js checks the protocol\'s `from`');
  assert.doesNotMatch(bg, /handler\.from/);
});

test('error kinds cover the core and the worker', () => {
  const rust = readFileSync(join(ROOT, 'src/error.rs'), 'utf8');
  const kinds = [...rust.split('pub fn kind(&self)')[1].split('\n    }\n')[0].matchAll(/=> "(\w+)"/g)].map((m) => m[1]);
  assert.ok(kinds.length >= 5, `the core's kinds: ${kinds}`);
  assert.deepEqual(kinds.filter((k) => !ERROR_KINDS.includes(k)), [], 'core kinds missing from the protocol');
  const js = new Set(sources.flatMap(({ text }) => [...text.matchAll(/GuardError\('(\w+)'/g)].map((m) => m[1])));
  for (const { text } of sources) for (const m of text.matchAll(/kind: '(\w+)'/g)) js.add(m[1]);
  assert.deepEqual([...js].filter((k) => !ERROR_KINDS.includes(k)), [], 'worker kinds missing from the protocol');
});

test('every refusal code the server can send has the extension\'s own sentence', () => {
  const rust = readFileSync(join(ROOT, 'server/src/error.rs'), 'utf8');
  const codes = [...rust.split('pub fn code(&self)')[1].split('\n    }\n')[0].matchAll(/=> "(\w+)"/g)].map((m) => m[1]).sort();
  const js = readFileSync(join(EXT, 'worker/pairing.js'), 'utf8').split('const REFUSALS = {')[1].split('\n};')[0];
  const mapped = [...js.matchAll(/^  (\w+):/gm)].map((m) => m[1]).sort();
  assert.ok(codes.length > 10, `server codes: ${codes}`);
  assert.deepEqual(mapped, codes);
});

test('every reason a Vault delivery waits has the extension\'s own sentence', () => {
  const rust = readFileSync(join(ROOT, 'server/src/vault/error.rs'), 'utf8');
  const codes = [...rust.split('pub const PROBLEMS: &[&str] = &[')[1].split('];')[0].matchAll(/"(\w+)"/g)].map((m) => m[1]).sort();
  const js = readFileSync(join(EXT, 'content/credentials.js'), 'utf8').split('const VAULT_WAITS = {')[1].split('\n  };')[0];
  const mapped = [...js.matchAll(/^    (\w+):/gm)].map((m) => m[1]).sort();
  assert.ok(codes.length > 5, `server problems: ${codes}`);
  assert.deepEqual(mapped, codes);
});
