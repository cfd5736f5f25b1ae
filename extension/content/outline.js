// ECA Guard content script: the page outline the popup's "Copy page outline" asks for, so an
// admin whose Setup page is not read can send it in an issue. Structure and labels only: tag
// names, label texts, section and tab titles, which controls the reader found and why others
// were not; never a value (no input, no read-only value, no option, no app name, no record id,
// no reason text quoting the page). Built only on request, from our own extension pages.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  if (g.outlineStarted) return;
  g.outlineStarted = true;
  const { dom, labels: L } = g;
  const { api, TYPES: T, fromOwnPage } = globalThis.ecaGuardProtocol;

  const LABELS = 'label, span.slds-form-element__label, span[part="label"], legend, [part="dual-listbox"] > div:first-child, .slds-form-element__legend, dt, td.labelCol, th.labelCol';
  const TITLES = '.slds-accordion__summary-content, .slds-section__title, .pbSubheader h3, .pbTitle h2, .pbTitle h3, tr.headerRow th, [role="tab"]';
  const HOSTS = `${dom.HOSTS}, .slds-form-element, tr`;
  /** What kind of control a host holds: tag and type only. */
  const KINDS = 'input, textarea, select, button[role="combobox"], lightning-icon, img.checkImg, ul[data-selected-list], ul[data-source-list]';
  const MAX_LINES = 400;

  const clip = (t) => (t.length > 120 ? `${t.slice(0, 117)}…` : t);
  const quote = (t) => JSON.stringify(clip(t));
  /** Reasons may quote what the page shows: keep their words, not their quotes. */
  const unquote = (t) => String(t).replace(/"[^"]*"/g, '"…"').slice(0, 200);
  /** The path without record ids (an app's or a profile's) and without the query. */
  const path = () => location.pathname.replace(/\/0[0-9A-Za-z]{14,17}(?=\/|$)/g, '/<id>');

  function kindOf(host) {
    const seen = new Set();
    for (const c of dom.withinAll(host, KINDS)) {
      let k = c.localName;
      if (k === 'input') k += `[type=${(c.getAttribute('type') || 'text').replace(/[^a-z-]/gi, '')}]`;
      else if (k === 'lightning-icon') k = 'lightning-icon (read-only)';
      else if (k === 'ul') k = c.hasAttribute('data-selected-list') ? 'selected list' : 'source list';
      seen.add(k);
    }
    return [...seen].join(', ');
  }

  function build() {
    const cur = g.current ? g.current() : { reader: null, read: null };
    const out = ['ECA Guard page outline: structure and labels only, no values.'];
    const lang = L.pageLang(document);
    out.push(`page: ${path()}${location.ancestorOrigins && location.ancestorOrigins.length ? ' (in a frame)' : ''}`);
    out.push(`language: ${lang || 'not given'} (${L.known(lang) ? 'labels known' : 'no labels known'})`);
    out.push(`classic page: ${document.body && document.body.classList.contains('sfdcBody') ? 'yes' : 'no'}; open shadow roots: ${dom.roots(document).length - 1}`);
    out.push(`reader: ${cur.reader || 'none recognised this page'}`);
    const read = cur.read;
    if (read) {
      const s = read.snapshot;
      const found = Object.entries(read.controls).map(([f, h]) => `  ${f}: ${h.localName}${read.labels[f] ? ' ' + quote(read.labels[f]) : ''}`);
      out.push('controls found:', ...(found.length ? found : ['  none']));
      for (const u of s.unreadable || []) out.push(`  could not read ${u.field}: ${unquote(u.reason)}`);
      for (const h of s.hidden || []) out.push(`  not shown ${h.field}: in ${quote(h.section)}`);
      if (s.labelsUnknown) out.push(`  labels unknown: ${String(s.labelsUnknown).slice(0, 20)}`);
    }
    out.push('titles:');
    for (const el of dom.queryAll(document, TITLES)) {
      if (g.paint.isOwn(el)) continue;
      const t = dom.text(el);
      if (t) out.push(`  ${el.localName}${el.getAttribute('role') === 'tab' ? ` tab${el.getAttribute('aria-selected') === 'true' ? ' (selected)' : ''}` : ''} ${quote(t)}`);
    }
    out.push('labels:');
    for (const el of dom.queryAll(document, LABELS)) {
      if (out.length >= MAX_LINES) {
        out.push('  … (cut)');
        break;
      }
      if (g.paint.isOwn(el)) continue;
      const t = dom.text(el);
      if (!t) continue;
      const host = dom.closestDeep(el, HOSTS);
      const kind = host ? kindOf(host) : '';
      out.push(`  ${host ? host.localName : el.localName}${kind ? ` [${kind}]` : ''} ${quote(t)}`);
    }
    return out.join('\n');
  }

  // Every frame of the tab gets the message and the popup takes the first answer: the frame whose
  // page a reader recognised answers at once, a classic page in Setup's iframe soon after, the
  // top frame last; other frames (widgets) stay silent. A frame loaded for the question
  // (content/detect.js) hands it on to this listener: `g.outlineListener`.
  function onMessage(msg, sender, sendResponse) {
    if (!msg || msg.type !== T.pageOutline || !fromOwnPage(sender)) return false;
    const cur = g.current ? g.current() : {};
    const top = !(location.ancestorOrigins && location.ancestorOrigins.length) && window === window.parent;
    const classic = !!(document.body && document.body.classList.contains('sfdcBody'));
    const wait = cur.reader ? 0 : classic ? 150 : top ? 400 : -1;
    if (wait < 0) return false;
    setTimeout(() => {
      try {
        sendResponse({ ok: true, outline: build() });
      } catch (e) {
        sendResponse({ ok: false, error: { kind: 'Internal', message: 'ECA Guard could not outline this page.' } });
      }
    }, wait);
    return true;
  }
  api.runtime.onMessage.addListener(onMessage);

  g.outline = build;
  g.outlineListener = onMessage;
})();
