import { launch, form, waitMarks } from './harness.mjs';
import { alohaFrame, classicMarks } from './org-harness.mjs';
const env = await launch();
const W = +(process.env.W || 1024);
const out = process.env.OUT || '/tmp/shots';
try {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal', 'https://203.0.113.10'], serverAddresses: ['203.0.113.10'] } });
  const pages = {
    newEca: '/lightning/setup/ManageExternalClientApplication/new',
    detailEdit: '/lightning/setup/ManageExternalClientApplication/0xI000000000001AAA/detail?mode=edit&expand=1',
    caEdit: '/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppEdit.apexp',
    network: '/lightning/setup/NetworkAccess/home',
    session: '/lightning/setup/SecuritySession/home',
  };
  for (const [name, path] of Object.entries(pages)) {
    const page = await env.ctx.newPage();
    await page.setViewportSize({ width: W, height: 768 });
    await page.goto(`https://bad.my.salesforce-setup.com:${env.server.port}${path}`);
    if (name === 'newEca') { await form.check(page, 'Enable OAuth', true); }
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}/${name}-${W}.png` });
    await page.close();
  }
} finally { await env.close(); }
