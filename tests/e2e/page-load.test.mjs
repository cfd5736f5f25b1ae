// What a Setup page carries before ECA Guard finds something to check (docs/ARCHITECTURE.md,
// "Loading into a page"): every frame gets the detector alone (content/detect.js); the readers,
// the painter and the rest are loaded by the worker into the frames whose page ECA Guard handles,
// and only there, including after Lightning's in-page navigation; the popup's outline still
// answers on a page nothing was loaded into.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { inFrameWorld, launch, marks, waitMarks } from './harness.mjs';
import { alohaFrame, classicMarks, popupOutline, waitFor } from './org-harness.mjs';

let env;
before(async () => {
  env = await launch();
  await env.setSettings({ pack: 'veeam-eca', params: { callbackUrls: ['https://veeam.acme.internal'], serverAddresses: ['203.0.113.10'] } });
});
after(async () => {
  await env?.close();
});

/** What of ECA Guard a frame's content-script world holds: the detector, readers, main.js, and
 * how often the detector looked at the page. */
function loadedState() {
  const g = globalThis.ecaGuard;
  return { url: location.href, detector: !!(g && g.detector), readers: ((g && g.readers) || []).length, main: !!(g && g.started), probes: g && g.perf ? g.perf.detect.n : -1 };
}
const LOADED = `JSON.stringify((${loadedState})())`;
const loaded = async (page, frame = page.mainFrame()) => JSON.parse((await inFrameWorld(page, frame, LOADED)) || 'null');

/** The same for every frame of `page`'s tab, cross-origin ones too (their own process, out of
 * the page's CDP session), through the worker: [{url, …}]. */
async function everyFrame(page) {
  return env.worker().evaluate(`(async () => {
    const [tab] = (await chrome.tabs.query({})).filter((t) => t.url === ${JSON.stringify(page.url())});
    const results = await chrome.scripting.executeScript({ target: { tabId: tab.id, allFrames: true }, func: ${loadedState} });
    return results.map((r) => r.result);
  })()`);
}

/** Opens `path` on the acme org and waits until its load event is over and the detector ran. */
async function open(path) {
  const page = await env.ctx.newPage();
  await page.goto(env.origin + path);
  await waitFor(async () => (await loaded(page))?.probes > 0, 'the detector to run');
  return page;
}

test('a page with nothing to check gets the detector alone, and it stays idle', async () => {
  const page = await open('/lightning/setup/ManageExternalClientApplication/home');
  await page.waitForTimeout(500); // a load asked for would have arrived by now
  const first = await loaded(page);
  assert.deepEqual({ ...first, url: undefined, probes: undefined }, { url: undefined, detector: true, readers: 0, main: false, probes: undefined });
  assert.equal(first.probes, 1, 'the page is looked at once');
  assert.equal(await page.locator('eca-guard-panel').count(), 0);
  await page.waitForTimeout(1500);
  assert.equal((await loaded(page)).probes, 1, 'no look at the page while nothing happens');
  await page.close();
});

test('in-page navigation from the list to the New form loads the rest, which checks the form', async () => {
  const page = await open('/lightning/setup/ManageExternalClientApplication/home');
  assert.equal((await loaded(page)).readers, 0);
  await page.getByText('New External Client App').click();
  const m = await waitMarks(page, (m) => m.panel && m.marks.length === 1, 'the form checked after pushState');
  assert.equal(m.marks[0].label, 'Enable OAuth');
  const now = await loaded(page);
  assert.ok(now.readers >= 5 && now.main, JSON.stringify(now));
  await page.close();
});

test('a classic page: its Aloha iframe is loaded and checked, the Lightning frame around it and a widget frame are not', async () => {
  const page = await open('/lightning/setup/SecuritySession/home?crossframe=1');
  await classicMarks(page, (m) => m.panel, 'the iframe checked');
  const frame = alohaFrame(page);
  assert.ok((await loaded(page, frame)).main, 'the Aloha iframe has main.js');
  // The widget is on another origin (its own process): read its isolated world through the worker.
  const widget = async () => (await everyFrame(page)).find((f) => f.url.includes('/apex/Widget'));
  await waitFor(async () => (await widget())?.probes > 0, 'the detector in the widget frame');
  await page.waitForTimeout(300);
  assert.deepEqual([(await loaded(page)).readers, (await widget()).readers], [0, 0]);
  // A content script has only its own frame loaded: the top frame asks, the widget stays bare.
  const r = await env.worker().evaluate(`(async () => {
    const [tab] = (await chrome.tabs.query({})).filter((t) => t.url === ${JSON.stringify(page.url())});
    const [top] = await chrome.scripting.executeScript({ target: { tabId: tab.id, frameIds: [0] }, func: () => globalThis.ecaGuardProtocol.send({ type: 'loadContent' }) });
    return top.result;
  })()`);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok((await loaded(page)).main, 'the top frame loaded on its own request');
  assert.equal((await widget()).readers, 0, 'the widget frame untouched');
  const frames = await everyFrame(page);
  assert.equal(frames.length, 3, JSON.stringify(frames));
  assert.ok(frames.every((f) => f.detector && f.probes > 0), `every frame has the detector and its counters: ${JSON.stringify(frames)}`);
  await page.close();
});

test('our own pages may not ask for a load: only a content script, for its own frame', async () => {
  const options = await env.ctx.newPage();
  await options.goto(`chrome-extension://${env.extId}/options/options.html`);
  const r = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'loadContent' }));
  assert.equal(r.ok, false);
  assert.equal(r.error.kind, 'BadMessage');
  await options.close();
});

test('the popup\'s outline answers on a page nothing was loaded into', async () => {
  const page = await open('/lightning/setup/ManageExternalClientApplication/home');
  assert.equal((await loaded(page)).readers, 0);
  const { outline } = await popupOutline(env, page);
  assert.match(outline, /^ECA Guard page outline/);
  assert.match(outline, /page: \/lightning\/setup\/ManageExternalClientApplication\/home/);
  assert.match(outline, /reader: none recognised this page/);
  assert.ok((await loaded(page)).main, 'loaded to answer');
  assert.equal((await marks(page)).panel, null, 'and still nothing painted on the list');
  await page.close();
});
