// The action popup: for the active pack and the active tab's org, one row per check (contract:
// `data-rule`, `data-status` pass|fail|deviation|unknown), from what the org's Setup pages
// showed when they were last visited (worker/org.js).
//
// Which tab: `?host=<host>` or `?tab=<id>` when given (tests open popup.html in a tab, where
// the "active tab" is the popup itself); otherwise the active tab of the last focused window.
import '../protocol.js';

const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k !== null && k !== undefined && k !== false) e.append(k);
  return e;
}

const link = (href, text, kind) => el('a', { href, target: '_blank', rel: 'noopener noreferrer', 'data-link': kind }, text);

async function target() {
  const q = new URLSearchParams(location.search);
  if (q.get('host')) return { host: q.get('host') };
  if (q.get('tab')) return { tabId: Number(q.get('tab')) };
  const [tab] = await api.tabs.query({ active: true, lastFocusedWindow: true });
  if (!tab) return null;
  try {
    return { host: new URL(tab.url).hostname, tab: tab.id };
  } catch (_) {
    return null; // not a page we have host access to: not a Salesforce org
  }
}

/**
 * "Copy page outline": the tab's content scripts build it (content/outline.js: structure and
 * labels, never a value); it is shown here, so the admin sees what they would send, and put on
 * the clipboard.
 */
function offerOutline(tabId) {
  if (!Number.isInteger(tabId)) return;
  const button = $('copy-outline');
  button.hidden = false;
  button.addEventListener('click', async () => {
    const box = $('outline-box');
    const status = $('outline-status');
    box.hidden = false;
    status.textContent = 'Reading the page…';
    let reply;
    try {
      reply = await api.tabs.sendMessage(tabId, { type: T.pageOutline });
    } catch (_) {
      reply = null;
    }
    if (!reply || !reply.ok || typeof reply.outline !== 'string') {
      status.textContent = 'ECA Guard is not on this page (reload it once, then try again).';
      return;
    }
    $('outline').textContent = reply.outline;
    try {
      await navigator.clipboard.writeText(reply.outline);
      status.textContent = 'Copied. Paste it in an issue; it holds no value from the page.';
    } catch (_) {
      status.textContent = 'Select the outline below and copy it; it holds no value from the page.';
    }
    document.body.dataset.outline = 'ready';
  });
}


/** "Copy checklist" and "Download report" (content/export-buttons.js, shared with the panel). */
function offerExports(t) {
  const box = $('exports');
  box.replaceChildren(globalThis.ecaGuard.exportButtons({ request: (format) => send({ type: T.report, format, ...t }) }));
  box.hidden = false;
}

function message(text, bad) {
  const m = $('message');
  m.textContent = text;
  m.classList.toggle('bad', !!bad);
}

function renderOrg(s) {
  const o = s.org;
  const box = $('org');
  box.hidden = false;
  box.replaceChildren(
    el('div', {}, el('span', { class: 'name' }, o.key), el('span', { class: `kind ${o.kind}`, 'data-kind': o.kind }, o.kind)),
    ...o.notes.map((n) => el('div', { class: 'note' + (/refresh/i.test(n) ? ' refresh' : ''), 'data-note': /refresh/i.test(n) ? 'sandbox-refresh' : /API at/.test(n) ? 'api-host' : 'org' }, n))
  );
  if (!o.notes.some((n) => /API at/.test(n))) {
    box.append(el('div', { class: 'note', 'data-note': 'api-host' }, `Integrations call the API at https://${o.apiHost}.`));
  }
}

const STATUS_TEXT = { pass: 'Pass', fail: 'Fail', deviation: 'Deviation', unknown: 'Unknown' };

/**
 * One row: a heading with the setting's name (screen readers list and jump by them), its verdict,
 * what was read (in Setup's words: the core's `shown`), why, the fix and the links. A setting the
 * pack has no requirement on keeps `data-status="pass"` (the contract) and says "No requirement",
 * with `data-requirement="none"`, apart from a real pass.
 */
function renderRow(r) {
  const none = r.status === 'pass' && r.noRequirement;
  const li = el('li', { class: 'row', 'data-rule': r.rule, 'data-status': r.status, 'data-requirement': none ? 'none' : null });
  const title = r.app ? `${r.title}: ${r.app}` : r.title;
  const pill = none ? el('span', { class: 'status none' }, 'No requirement') : el('span', { class: `status ${r.status}` }, STATUS_TEXT[r.status]);
  li.append(el('div', { class: 'head' }, el('h2', { class: 'title' }, title), pill));
  for (const v of r.values) {
    const value = el('div', { class: 'value', 'data-field': v.field }, `${v.label ? v.label + ': ' : 'Currently: '}${v.shown} · read ${v.readAgo}`);
    // Which page it was read on (e.g. which profile's Login IP Ranges).
    if (v.from) value.append(' on ', link(v.from, v.field === 'loginIpRanges' ? 'this profile' : 'this page'));
    li.append(value);
  }
  for (const c of r.couldNotRead) {
    li.append(el('div', { class: 'could-not-read', 'data-field': c.field }, `Could not read: ${c.reason}`));
  }
  li.append(el('div', { class: 'why' }, r.why));
  if (r.fix) li.append(el('div', { class: 'fix' }, el('b', {}, 'Fix: '), r.fix));
  const links = el('div', { class: 'links' });
  const fixIn = el('span', {}, 'Fix in Setup: ', link(r.setup.url, r.setup.label, 'setup'));
  for (const m of r.setupMore || []) fixIn.append(', ', link(m.url, m.label, 'setup'));
  links.append(fixIn);
  if (r.source) links.append(el('span', {}, 'Source: ', link(r.source.url, r.source.title, 'source')));
  li.append(links);
  return li;
}

async function main() {
  $('options').addEventListener('click', (e) => {
    e.preventDefault();
    api.runtime.openOptionsPage();
  });
  const t = await target();
  if (t) offerOutline(t.tab ?? t.tabId);
  // The report is the active tab's (its page's findings too); with only a host, that org's.
  const reportTarget = t && (Number.isInteger(t.tab ?? t.tabId) ? { tabId: t.tab ?? t.tabId } : { host: t.host });
  if (t && t.tab !== undefined) delete t.tab; // the worker takes a host or a tab id, not both
  if (!t) {
    message('Open a Salesforce Setup page: ECA Guard shows the checks of that org here.');
    return;
  }
  const reply = await send({ type: T.orgStatus, ...t });
  if (!reply || !reply.ok) {
    message((reply && reply.error && reply.error.message) || 'ECA Guard did not answer.', true);
    return;
  }
  if (!reply.org) {
    message('This tab is not a Salesforce org. Open a Setup page of the org you want to check.');
    return;
  }
  renderOrg(reply);
  if (reply.noPack) {
    message('Choose the integration in ECA Guard\'s options to see its checks for this org.', true);
    return;
  }
  $('pack').textContent = reply.pack.name;
  offerExports(reportTarget);
  document.body.dataset.failing = String(reply.failing);
  $('rows').replaceChildren(...reply.rows.map(renderRow));
  if (reply.rows.some((r) => r.status === 'unknown')) {
    message('Unknown rows: open the linked Setup page in this org; ECA Guard remembers what it shows.');
  }
  if (reply.packNotes.length) {
    const notes = $('notes');
    notes.hidden = false;
    notes.replaceChildren(...reply.packNotes.map((n) => el('div', {}, n)));
  }
  const forget = $('forget');
  forget.hidden = false;
  forget.addEventListener('click', async () => {
    await send({ type: T.forgetOrg, ...t });
    location.reload();
  });
}

main().finally(() => {
  document.body.dataset.ready = 'true';
});
