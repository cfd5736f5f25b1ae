// Takes docs/screenshot.png for the README: the fixture New ECA form half filled for Veeam,
// with ECA Guard's marks and panel. Usage (after ./build.sh build): node screenshot.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { control, form, launch, waitMarks } from './harness.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshot.png');
const env = await launch();
try {
  await env.setSettings({
    pack: 'veeam-eca',
    params: { callbackUrls: ['https://veeam.acme.internal', 'https://172.12.0.1'], salesforceIdp: false },
  });
  const page = await env.ctx.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(env.formUrl());
  await form.check(page, 'Enable OAuth', true);
  await form.type(page, 'Callback URL', 'https://veeam.acme.internal/\nhttps://172.12.0.1');
  await form.moveScopes(page, 'OAuth Scopes', ['full', 'web']);
  await waitMarks(page, (m) => m.panel && m.panel.warnings >= 1, 'marks');
  await control(page, 'Callback URL').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.mouse.wheel(0, -120);
  await page.waitForTimeout(300);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await env.close();
}
