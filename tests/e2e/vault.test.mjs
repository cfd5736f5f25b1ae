// The Vault sink end to end in the browser: a real eca-guard-server whose sink is a real
// OpenBao (dev server on a free loopback port, its own root token, an AppRole and the
// least-privilege policy of docs/server.md), the built extension in headless Chromium, the
// fixture "Consumer Key and Secret" page. Send: the status line says "Delivered to Vault" and
// `bao kv get` reads the secret. Then the policy loses its write: the rotation is "stored,
// delivery to Vault pending" with the reason, and once the policy is fixed the server delivers
// it as version 2. OpenBao comes from ECA_GUARD_BAO (build.sh installs it into .venv).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as consumer from '../fixtures/pages/consumer-details.mjs';
import { ORG, clickSend, guardUi, startSendEnv, waitFor } from './send-harness.mjs';

const APP_ID = '0xI000000000001AAA';
const PAGE = `/lightning/setup/ManageExternalClientApplication/${APP_ID}/consumer`;
const RECORD = `eca-guard/${ORG}/${APP_ID}`;
const POLICY = `
path "secret/data/eca-guard/*" { capabilities = ["create", "update"] }
path "secret/metadata/eca-guard/*" {
  capabilities = ["read", "create", "update"]
  allowed_parameters = { "custom_metadata" = [] }
}`;
const NO_WRITE = 'path "secret/metadata/eca-guard/*" { capabilities = ["read", "create", "update"] }';
const BAO = process.env.ECA_GUARD_BAO;

let env;
const bao = {};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function api(method, path, body) {
  const r = await fetch(`${bao.addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': bao.root, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** `bao kv get` with the root token: the record's data and metadata. */
function kvGet(version) {
  const args = ['kv', 'get', '-format=json', '-mount=secret', ...(version ? [`-version=${version}`] : []), RECORD];
  const out = execFileSync(BAO, args, { encoding: 'utf8', env: { ...process.env, BAO_ADDR: bao.addr, BAO_TOKEN: bao.root, HOME: bao.dir } });
  return JSON.parse(out).data;
}

before(async () => {
  if (!BAO || !existsSync(BAO)) {
    if (process.env.CI) throw new Error('ECA_GUARD_BAO is not set: ./build.sh installs OpenBao into .venv');
    return;
  }
  bao.dir = mkdtempSync(join(tmpdir(), 'eca-guard-bao-'));
  bao.root = `root-${Math.random().toString(36).slice(2)}`;
  bao.addr = `http://127.0.0.1:${await freePort()}`;
  bao.child = spawn(BAO, ['server', '-dev', '-dev-no-store-token', `-dev-root-token-id=${bao.root}`, `-dev-listen-address=${bao.addr.slice(7)}`], {
    env: { ...process.env, HOME: bao.dir },
    stdio: 'ignore',
  });
  await waitFor(async () => {
    try {
      return (await fetch(`${bao.addr}/v1/secret/config`, { headers: { 'X-Vault-Token': bao.root } })).ok;
    } catch (_) {
      return false;
    }
  }, 'OpenBao', 30000);
  await api('POST', 'sys/auth/approle', { type: 'approle' });
  await api('PUT', 'sys/policies/acl/eca-guard-sink', { policy: POLICY });
  await api('POST', 'auth/approle/role/sink', { token_policies: ['eca-guard-sink'] });
  const roleId = (await api('GET', 'auth/approle/role/sink/role-id')).data.role_id;
  const secretIdFile = join(bao.dir, 'secret-id');
  writeFileSync(secretIdFile, (await api('POST', 'auth/approle/role/sink/secret-id', {})).data.secret_id);
  chmodSync(secretIdFile, 0o600);
  env = await startSendEnv(
    `store_secrets = false\n[vault]\naddress = "${bao.addr}"\nrole_id = "${roleId}"\nsecret_id_file = "${secretIdFile}"\nretry_max_secs = 1\n`
  );
});

after(async () => {
  await env?.close();
  bao.child?.kill('SIGKILL');
  if (bao.dir) rmSync(bao.dir, { recursive: true, force: true });
});

test('send into Vault from the consumer page; a policy without write leaves it pending, then it is delivered', async (t) => {
  if (!env) return t.skip('no OpenBao (ECA_GUARD_BAO)');
  const { reply } = await env.pair();
  assert.ok(reply.ok, JSON.stringify(reply));
  const page = await env.ctx.newPage();
  await page.goto(`${env.origin}${PAGE}`);
  await page.click('#verify');
  await page.waitForSelector('eca-guard-send', { state: 'attached' });
  await waitFor(async () => ((await guardUi(page))?.text || '').includes('Send to Veeam prod'), 'the button');

  await clickSend(page);
  const line = await waitFor(async () => {
    const text = (await guardUi(page))?.text || '';
    return text.includes('Sent to') ? text : null;
  }, 'the success line');
  assert.match(line, /Delivered to Vault \(version 1\)\./);
  const v1 = kvGet();
  assert.equal(v1.data.consumer_key, consumer.KEY);
  assert.equal(v1.data.consumer_secret, consumer.SECRET);
  assert.equal(v1.metadata.version, 1);
  // store_secrets = false: the server keeps no secret to print.
  assert.throws(() => env.cli('get', '--org', ORG, '--app', APP_ID), /not kept here/);

  // The policy loses the write: the rotation waits, sealed on the server, and the page says why.
  await api('PUT', 'sys/policies/acl/eca-guard-sink', { policy: NO_WRITE });
  await page.click('#rotate');
  await page.waitForTimeout(400);
  await clickSend(page);
  const pending = await waitFor(async () => {
    const text = (await guardUi(page))?.text || '';
    return /stored as version 2/.test(text) ? text : null;
  }, 'the pending line');
  assert.match(pending, /Stored, delivery to Vault pending: Vault refused the write \(permission denied/);
  assert.match(env.cli('creds', 'list'), /v2\t.*vault pending \(permission_denied/);
  assert.match(env.server.log(), /Vault refused the write of secret\/data\/eca-guard\/.*permission denied/);

  // Fixed: the server's retrier delivers it, as version 2; version 1 stays in the history.
  await api('PUT', 'sys/policies/acl/eca-guard-sink', { policy: POLICY });
  await waitFor(() => /vault delivered v2/.test(env.cli('creds', 'list')), 'the delivery after the fix', 20000);
  assert.equal(kvGet().data.consumer_secret, consumer.ROTATED_SECRET);
  assert.equal(kvGet(1).data.consumer_secret, consumer.SECRET);
  for (const s of [consumer.SECRET, consumer.ROTATED_SECRET]) assert.ok(!env.server.log().includes(s), 'a secret in the server log');
});
