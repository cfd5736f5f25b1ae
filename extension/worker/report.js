// The evidence report (content/export-buttons.js asks for it from the panel and the popup):
// gathers the latest check of the tab (or of the panel's own frame) and the org's rows (the
// checker's orgStatus, as the popup shows them), and lets the core write it (the on-demand
// module's `report`, src/report/). What a check leaves here
// is the page's kind and labels, its findings and its address, never a field's value: the core
// reads no more of a snapshot than that either (src/report/mod.rs, PageMeta).
//
// The latest checks live in memory and in storage.session (memory only, not readable by content
// scripts), so a worker stopped while idle still has them when the admin asks.
import '../protocol.js';
import { ready } from './core.js';
import { onDemand } from './on-demand.js';
import { settings } from './settings.js';
import { GuardError } from './errors.js';
import { asReadings, readings } from './org-memory.js';
import { setupOriginOf } from './org.js';
import { tabHost } from './badge.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;
const SESSION_KEY = 'ecaGuardLastChecks';
const session = api.storage && api.storage.session;

/** `${tabId}` → {`${frameId}` → {url, checkedAt, snapshot: {page, labels}, result}}. */
let checks = null;
function loaded() {
  if (!checks) {
    checks = session
      ? session.get(SESSION_KEY).then((got) => (got && got[SESSION_KEY]) || {}, () => ({}))
      : Promise.resolve({});
  }
  return checks;
}

let saveTimer = 0;
function saveSoon() {
  if (!session || saveTimer) return;
  saveTimer = setTimeout(async () => {
    saveTimer = 0;
    session.set({ [SESSION_KEY]: await loaded() }).catch(() => {});
  }, 300);
}

/** After a check (worker/check.js): what the report will need of it. */
export async function rememberCheck(sender, snapshot, result) {
  const tabId = sender.tab && sender.tab.id;
  if (tabId === undefined || tabId < 0) return;
  const all = await loaded();
  const frames = (all[tabId] = all[tabId] || {});
  const labels = snapshot.labels && typeof snapshot.labels === 'object' ? snapshot.labels : {};
  frames[sender.frameId || 0] = { url: sender.url || '', checkedAt: Date.now(), snapshot: { page: snapshot.page, labels }, result };
  saveSoon();
}

/** The frame no longer shows a checked page, or the tab is gone. */
export async function forgetCheck(tabId, frameId) {
  const all = await loaded();
  if (!all[tabId]) return;
  if (frameId === undefined) delete all[tabId];
  else delete all[tabId][frameId];
  saveSoon();
}
api.tabs.onRemoved.addListener((tabId) => forgetCheck(tabId));

/** The newest check among a tab's frames (or of one frame). */
async function latest(tabId, frameId) {
  const frames = (await loaded())[tabId] || {};
  if (frameId !== undefined) return frames[frameId] || null;
  return Object.values(frames).reduce((a, b) => (!a || b.checkedAt > a.checkedAt ? b : a), null);
}

/** Which tab and host: a content script's own tab and frame, never what it says; the popup's
 * tab id, or a host (then the newest check of that org in any tab). */
async function target(msg, sender, core) {
  if (sender.tab && !String(sender.url || '').startsWith(api.runtime.getURL(''))) {
    return { host: tabHost(sender.tab), check: await latest(sender.tab.id, sender.frameId || 0) };
  }
  if (Number.isInteger(msg.tabId)) {
    const tab = await api.tabs.get(msg.tabId);
    return { host: tabHost(tab), check: await latest(msg.tabId) };
  }
  if (typeof msg.host === 'string' && msg.host.length < 260) {
    const host = msg.host.toLowerCase();
    const org = core.orgFromHost(host);
    let check = null;
    for (const frames of Object.values(await loaded())) {
      for (const c of Object.values(frames)) {
        let h = '';
        try {
          h = new URL(c.url).hostname;
        } catch (_) {
          continue;
        }
        const o = core.orgFromHost(h);
        if (org && o && o.key === org.key && (!check || c.checkedAt > check.checkedAt)) check = c;
      }
    }
    return { host, check };
  }
  throw new GuardError('BadMessage', 'Which tab? A report needs a host or a tab id.');
}

async function report(msg, sender) {
  const format = msg.format === 'json' ? 'json' : 'markdown';
  const core = await ready;
  const { host, check } = await target(msg, sender, core);
  const org = host && core.orgFromHost(host);
  if (!org) throw new GuardError('BadMessage', 'This tab is not a Salesforce org: there is nothing to report.');
  const { config } = await settings();
  if (!config.pack) throw new GuardError('NoPack', 'Choose the integration in ECA Guard\'s options first.');
  const orgStatus = core.orgStatus(asReadings(await readings(org.key)), config, setupOriginOf(org, host));
  const input = {
    host,
    now: Date.now(),
    page: check ? { url: check.url, checkedAt: Math.round(check.checkedAt), snapshot: check.snapshot, result: check.result } : null,
    orgStatus,
  };
  const { markdown, json, filename } = (await onDemand()).report(input, config, format);
  return { markdown, json, filename };
}

export const handlers = {
  /** Panel or popup: `{format, tabId? | host?}` → `{markdown, json, filename}`. */
  [T.report]: report,
};
