// The demo (`./build.sh`; scripts/demo.sh, README "The demo"), without a browser:
// - its index (tests/fixtures/pages/index.mjs, served at / by the same fixture server): every
//   link answers 200 with the title the link promises, Aloha pages' classic iframe too, and every
//   fixture page module is linked, so a new page without a link fails here;
// - the script itself: it starts the fixture pages and eca-guard-server on the ports given,
//   keeps its data directory 0700, prints no secret, the pair and get commands it prints work as
//   printed (the code points at the demo server), a second start reuses the directory, a
//   symlinked one is refused, and SIGINT stops both servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, chmodSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { certificate, startServer } from '../fixtures/serve.mjs';
import * as consumer from '../fixtures/pages/consumer-details.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PAGES = join(ROOT, 'tests/fixtures/pages');

/** GET `url` from the fixture server on 127.0.0.1:`port`, verifying its certificate for the host. */
function get(url, port) {
  const u = new URL(url);
  return new Promise((resolveGet, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: u.pathname + u.search, servername: u.hostname, headers: { host: u.host }, ca: certificate().cert },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolveGet({ status: res.statusCode, body }));
      }
    );
    req.on('error', reject);
    req.end();
  });
}

const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const title = (html) => unescape((html.match(/<title>([^<]*)<\/title>/) || [])[1] || '').trim();
const links = (html) => [...html.matchAll(/<a href="([^"]+)" data-title="([^"]*)">/g)].map(([, href, t]) => ({ href: unescape(href), title: unescape(t) }));

test('the demo index links every fixture page module, and every link opens the page it names', async () => {
  const server = await startServer({ port: 0 });
  try {
    const origin = `https://acme.my.salesforce-setup.com:${server.port}`;
    const index = await get(`${origin}/`, server.port);
    assert.equal(index.status, 200);
    assert.equal(title(index.body), 'ECA Guard demo');
    assert.equal((await get(`${origin}/index.html`, server.port)).body, index.body);
    const all = links(index.body);
    assert.ok(all.length >= 20, `links on the index: ${all.length}`);
    for (const org of ['acme', 'bad', 'changed']) {
      assert.ok(all.some((l) => new URL(l.href).hostname === `${org}.my.salesforce-setup.com`), `no link into the ${org} org`);
    }

    // Every page module (one that exports routes) is reached by a link.
    const urls = all.map((l) => new URL(l.href));
    for (const file of readdirSync(PAGES).filter((f) => f.endsWith('.mjs') && f !== 'index.mjs')) {
      const mod = await import(pathToFileURL(join(PAGES, file)).href);
      if (!mod.routes) continue; // shared helpers (shell, classic, orgs)
      assert.ok(
        urls.some((u) => mod.routes.some((r) => r.test(u.pathname))),
        `tests/fixtures/pages/${file} has no link on the demo index (pages/index.mjs)`
      );
    }

    for (const l of all) {
      const u = new URL(l.href);
      assert.equal(u.port, String(server.port), `${l.href} keeps the index's port`);
      const page = await get(l.href, server.port);
      assert.equal(page.status, 200, l.href);
      assert.equal(title(page.body), l.title, `${l.href}: the page's title`);
      // A Lightning page that embeds a classic page: that page answers too, with its own title.
      const frame = page.body.match(/<iframe name="vfFrameId_\d+" title="([^"]+)" src="([^"]+)"/);
      if (frame) {
        const inner = await get(new URL(unescape(frame[2]), l.href).href, server.port);
        assert.equal(inner.status, 200, frame[2]);
        assert.equal(title(inner.body), unescape(frame[1]), `${l.href}: the classic page in its iframe`);
      }
    }
  } finally {
    await server.close();
  }
});

/** A port nothing listens on right now. */
function freePort() {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });
}

/** Starts scripts/demo.sh; resolves once it printed its steps (or rejects with its output). */
function startDemo(env) {
  const child = spawn('bash', [join(ROOT, 'scripts/demo.sh')], { cwd: ROOT, env: { ...process.env, DISPLAY: '', ...env } });
  child.out = '';
  for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (child.out += d));
  child.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const ready = new Promise((r, reject) => {
    const t = setInterval(() => child.out.includes('Start over:') && (clearInterval(t), r(child)), 50);
    child.exited.then((e) => (clearInterval(t), reject(new Error(`demo exited ${JSON.stringify(e)}:\n${child.out}`))));
  });
  return { child, ready };
}

/** The eca-guard-server command lines the demo printed, by subcommand. */
function printedCommands(out) {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('target/debug/eca-guard-server '));
  const by = (word) => lines.find((l) => l.split(' ').includes(word));
  return { pair: by('pair'), get: by('get'), list: by('creds') };
}

const run = (line) => execFileSync('sh', ['-c', line], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (_) {
    return false;
  }
};

test('scripts/demo.sh: both servers, a private data directory, commands that work as printed, Ctrl-C stops both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eca-guard-demo-'));
  const demoDir = join(dir, 'demo');
  try {
    const [port, serverPort] = [await freePort(), await freePort()];
    const env = { DEMO_DIR: demoDir, PORT: String(port), SERVER_PORT: String(serverPort) };
    const { child, ready } = startDemo(env);
    await ready;
    const index = await get(`https://acme.my.salesforce-setup.com:${port}/`, port);
    assert.equal(title(index.body), 'ECA Guard demo');
    const info = await fetch(`http://127.0.0.1:${serverPort}/v1/info`).then((r) => r.json());
    assert.equal(info.name, 'Demo Veeam server');
    assert.ok(child.out.includes(`https://acme.my.salesforce-setup.com:${port}/`), 'the index URL is printed');

    // Private: the directory and everything the server wrote in it.
    for (const p of [demoDir, join(demoDir, 'server-data')]) assert.equal(statSync(p).mode & 0o777, 0o700, p);
    for (const f of readdirSync(join(demoDir, 'server-data'))) assert.equal(statSync(join(demoDir, 'server-data', f)).mode & 0o077, 0, f);

    // The printed commands, exactly as printed.
    const cmd = printedCommands(child.out);
    assert.ok(cmd.pair && cmd.get && cmd.list, child.out);
    const code = run(cmd.pair).trim();
    assert.match(code, /^ecag1\.[A-Za-z0-9_-]+$/);
    const pairing = await import(pathToFileURL(join(ROOT, 'extension/pkg/eca_guard_pairing.js')).href);
    pairing.initSync({ module: readFileSync(join(ROOT, 'extension/pkg/eca_guard_pairing_bg.wasm')) });
    assert.equal(pairing.pairingBegin(code).server, `http://127.0.0.1:${serverPort}`, 'the code points at the demo server');
    assert.match(run(cmd.pair.replace(' pair', ` pair --url http://localhost:${serverPort}`)), /^ecag1\./);
    assert.throws(() => run(cmd.get), (e) => e.status === 1 && /nothing stored for org `acme\.my\.salesforce\.com` app `0xI000000000001AAA`/.test(e.stderr));
    run(cmd.list); // exit 0: nothing stored yet, said on stderr
    // README's demo commands are these, for the default data directory.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('## The demo')[1].split('\n## ')[0];
    const documented = readme.split('\n').filter((l) => l.startsWith('target/debug/eca-guard-server ')).map((l) => l.replace(/\s+#.*$/, ''));
    assert.equal(documented.length, 3, readme);
    const printed = Object.values(cmd).map((l) => l.split(demoDir).join('.demo'));
    for (const l of documented) assert.ok(printed.includes(l), `README's "${l}" is not what the demo prints: ${printed.join(' | ')}`);
    assert.ok(!child.out.includes(code) && !/ecag1\.[A-Za-z0-9_-]{16}/.test(child.out) && !child.out.includes(consumer.SECRET), 'no code or secret printed');

    // Ctrl-C: the script stops, and so do both servers.
    const kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    assert.equal(kids.length, 2, `two servers: ${kids}`);
    child.kill('SIGINT');
    const end = await child.exited;
    assert.equal(end.code, 130, JSON.stringify(end));
    for (const pid of kids) assert.ok(!alive(pid), `process ${pid} outlived the demo`);
    await assert.rejects(fetch(`http://127.0.0.1:${serverPort}/v1/info`));

    // Started again: the directory is reused (the pairing codes are still there), made private again.
    chmodSync(demoDir, 0o755);
    const again = startDemo(env);
    await again.ready;
    assert.equal(statSync(demoDir).mode & 0o777, 0o700);
    assert.match(run(printedCommands(again.child.out).pair.replace(/ pair$/, ' pair list')), /open/);
    again.child.kill('SIGTERM');
    assert.equal((await again.child.exited).code, 143);

    // A data directory that is a symlink is refused before anything starts.
    const link = join(dir, 'link');
    symlinkSync(demoDir, link);
    assert.ok(lstatSync(link).isSymbolicLink());
    const refused = startDemo({ ...env, DEMO_DIR: link });
    await assert.rejects(refused.ready, /is not a plain directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
