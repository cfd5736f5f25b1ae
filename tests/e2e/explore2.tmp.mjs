import { launch } from './harness.mjs';
import { alohaFrame } from './org-harness.mjs';
const env = await launch();
try {
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal', 'https://203.0.113.10'] } });
  const page = await env.ctx.newPage();
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(`https://bad.my.salesforce-setup.com:${env.server.port}/lightning/setup/NavigationMenus/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppEdit.apexp`);
  await page.waitForTimeout(1500);
  const f = alohaFrame(page);
  console.log(await f.evaluate(() => ({ w: innerWidth, sw: document.documentElement.scrollWidth, bw: document.body.scrollWidth })));
  await f.addStyleTag({ content: 'html{margin-right:300px !important} eca-guard-panel{display:none!important}' });
  console.log(await f.evaluate(() => ({ w: innerWidth, sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth })));
  await page.screenshot({ path: '/tmp/shots/ca-reflow.png' });
} finally { await env.close(); }
