// ECA Guard content script, between the readers and paint.js: marks the controls that have
// findings (contract, "On the page"). Each control with findings gets
// `data-eca-guard="<worst severity>"` and `data-eca-guard-rules="<rule ids>"` on its
// base-component host, removed when fixed. We also set `data-eca-guard-message` (first message)
// so CSS can show it under the control without inserting nodes into Lightning-owned DOM (which
// LWC's renderer would fight with). Styles are constructed stylesheets (adoptedStyleSheets):
// they are not subject to the page's CSP, and they can be adopted into native shadow roots where
// a marked host may live.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;

  const RANK = { info: 0, deviation: 1, warning: 2, error: 3 };
  const MARK_ATTRS = ['data-eca-guard', 'data-eca-guard-rules', 'data-eca-guard-message'];

  // Also in classic-marks.css (for classic pages, injected by the manifest): keep them in step.
  const MARK_CSS = `
[data-eca-guard] { display: block; position: relative; border-radius: .25rem;
  outline-offset: 3px; scroll-margin: 96px; }
[data-eca-guard="error"] { outline: 2px solid #ba0517; background: #fef1ee; }
[data-eca-guard="warning"] { outline: 2px solid #dd7a01; background: #fff8ea; }
[data-eca-guard="deviation"] { outline: 2px dashed #0176d3; }
[data-eca-guard="info"] { outline: 1px dotted #747474; }
[data-eca-guard]::after { content: "ECA Guard: " attr(data-eca-guard-message); display: block;
  margin-top: .25rem; padding: .125rem .5rem; font: 600 .75rem/1.4 "Salesforce Sans", Arial, sans-serif;
  border-left: 3px solid currentColor; white-space: normal; }
[data-eca-guard="error"]::after { color: #ba0517; }
[data-eca-guard="warning"]::after { color: #8c4b02; }
[data-eca-guard="deviation"]::after { color: #014486; font-weight: 400; }
[data-eca-guard="info"]::after { color: #444; font-weight: 400; }
`;

  let sheet = null;
  const styled = new WeakSet();

  /** Adopts the mark styles into the document or shadow root that holds `el`. */
  function ensureStyles(el) {
    const root = el.getRootNode();
    if (styled.has(root)) return;
    styled.add(root);
    // A classic page's own document has classic-marks.css from the manifest.
    if (root.nodeType === 9 && root.body && root.body.classList.contains('sfdcBody')) return;
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(MARK_CSS);
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } catch (_) {
      // Firefox content scripts cannot always adopt across compartments; fall back to <style>
      // (subject to the page CSP, which Setup allows for styles).
      const style = (root.ownerDocument || root).createElement('style');
      style.setAttribute('data-eca-guard-style', '');
      style.textContent = MARK_CSS;
      (root.head || root).appendChild(style);
    }
  }

  const marked = new Set();

  function worst(findings) {
    return findings.reduce((w, f) => (RANK[f.severity] > RANK[w] ? f.severity : w), 'info');
  }

  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  /** Marks controls; `controls` maps field → host element. */
  function mark(controls, findings) {
    const byField = new Map();
    for (const f of findings) {
      if (!byField.has(f.field)) byField.set(f.field, []);
      byField.get(f.field).push(f);
    }
    const keep = new Set();
    for (const [field, host] of Object.entries(controls)) {
      const fs = byField.get(field);
      if (!fs || !fs.length) continue;
      const sorted = [...fs].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
      ensureStyles(host);
      setAttr(host, 'data-eca-guard', worst(fs));
      setAttr(host, 'data-eca-guard-rules', [...new Set(fs.map((f) => f.rule))].join(' '));
      const more = fs.length > 1 ? ` (+${fs.length - 1} more in the ECA Guard panel)` : '';
      setAttr(host, 'data-eca-guard-message', `${sorted[0].message} ${sorted[0].fix}${more}`);
      keep.add(host);
    }
    for (const host of marked) {
      if (!keep.has(host)) for (const a of MARK_ATTRS) host.removeAttribute(a);
    }
    marked.clear();
    for (const h of keep) marked.add(h);
  }

  g.marks = { mark, setAttr };
})();
