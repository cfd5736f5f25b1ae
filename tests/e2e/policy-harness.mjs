// Real enterprise policy for a test browser, without touching the machine's own policy files
// (docs/enterprise-policy.md, "How it is tested"): the browser starts in a private mount
// namespace (`unshare -m`) in which a temporary directory is bind-mounted over the browser's
// policy directory, so only that browser process and its children see the test's policy. Needs
// root (CAP_SYS_ADMIN), as on the project's machines and CI; elsewhere `policyMountProblem()`
// says why it cannot, and the tests skip with that reason.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';

/** Why a private policy mount cannot be made here, or null when it can. */
export function policyMountProblem() {
  const dir = mkdtempSync(join(tmpdir(), 'eca-guard-policy-probe-'));
  try {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    execFileSync('unshare', ['-m', '--propagation', 'private', 'mount', '--bind', join(dir, 'a'), join(dir, 'b')], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `no private mount namespace here (unshare -m; needs root): ${String(e.stderr || e.message).trim().split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A policy directory for `target` (the browser's own, e.g. /etc/chromium): a copy of what is in
 * `target` now, plus `files` ({relative path: JSON value}). Returns `{dir, executable, close}`:
 * `executable` starts `browser` with `dir` mounted over `target`, for the test's process only.
 */
export function policyBrowser({ browser, target, files }) {
  const root = mkdtempSync(join(tmpdir(), 'eca-guard-policy-'));
  const dir = join(root, 'policy');
  const real = realpathSync(target); // a bind mount follows symlinks: mount over the real directory
  cpSync(real, dir, { recursive: true });
  for (const [rel, value] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), JSON.stringify(value, null, 2));
  }
  const executable = join(root, 'browser.sh');
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  // exec all the way: the browser keeps the pid the test driver started, so closing it ends it.
  writeFileSync(
    executable,
    `#!/bin/sh\nexec unshare -m --propagation private sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' ${q(dir)} ${q(real)} ${q(browser)} "$@"\n`
  );
  chmodSync(executable, 0o755);
  return { dir, executable, close: () => rmSync(root, { recursive: true, force: true }) };
}

/** Chromium's id for an unpacked extension: SHA-256 of its absolute path, first 16 bytes, as a–p. */
export function unpackedExtensionId(path) {
  return [...createHash('sha256').update(path).digest('hex').slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

/** Firefox's policy directory: `distribution/` beside the real binary (Mozilla's policy templates). */
export function firefoxDistribution(firefox) {
  const d = join(dirname(realpathSync(firefox)), 'distribution');
  return existsSync(d) ? d : null;
}

/**
 * A helper add-on for Firefox that opens `url` in a tab at its start: WebDriver BiDi refuses to
 * navigate to moz-extension:// pages, and an add-on may open another add-on's page.
 */
export function firefoxOpener(dir, url) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ manifest_version: 2, name: 'Policy test opener', version: '1.0', browser_specific_settings: { gecko: { id: 'policy-test-opener@eca-guard.dev' } }, background: { scripts: ['open.js'] } })
  );
  writeFileSync(join(dir, 'open.js'), `browser.tabs.create({ url: ${JSON.stringify(url)} });\n`);
  return dir;
}
