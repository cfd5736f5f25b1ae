// ECA Guard content script, between the readers and paint.js: marks the controls that have
// findings (contract, "On the page"). Each control with findings gets
// `data-eca-guard="<worst severity>"` and `data-eca-guard-rules="<rule ids>"` on its
// base-component host, removed when fixed. We also set `data-eca-guard-message` (first message)
// so CSS can show it under the control without inserting nodes into Lightning-owned DOM (which
// LWC's renderer would fight with). Styles are constructed stylesheets (adoptedStyleSheets):
// they are not subject to the page's CSP, and they can be adopted into native shadow roots where
// a marked host may live. Light and dark (prefers-color-scheme): the message has a background of
// its own, so its contrast does not depend on the page's.
//
// For assistive technology: the input (textarea, select, combobox, listbox) inside a marked host
// gets `aria-describedby` with the id of an element holding the mark's message, and for an error
// or a warning `aria-invalid="true"`, right after the marks (a task of its own). The message elements live in one hidden
// `[data-eca-guard-messages]` container per document or shadow root (an id is found only in its
// own tree), never inside Lightning's components. The page's own describedby ids are kept: ours
// is added and removed; an aria-invalid the page set stays.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom } = g;

  const RANK = { info: 0, deviation: 1, warning: 2, error: 3 };
  const MARK_ATTRS = ['data-eca-guard', 'data-eca-guard-rules', 'data-eca-guard-message'];

  // Also in classic-marks.css (for classic pages, injected by the manifest): keep them in step.
  const MARK_CSS = `
[data-eca-guard] { display: block; position: relative; border-radius: .25rem;
  outline-offset: 3px; scroll-margin: 96px; }
[data-eca-guard="error"] { outline: 2px solid #ba0517; background: rgba(234, 0, 30, .06); }
[data-eca-guard="warning"] { outline: 2px solid #dd7a01; background: rgba(254, 147, 57, .08); }
[data-eca-guard="deviation"] { outline: 2px dashed #0176d3; }
[data-eca-guard="info"] { outline: 1px dotted #747474; }
[data-eca-guard]::after { content: "ECA Guard: " attr(data-eca-guard-message); display: block;
  margin-top: .25rem; padding: .125rem .5rem; font: 600 .75rem/1.4 "Salesforce Sans", Arial, sans-serif;
  border-left: 3px solid currentColor; white-space: normal; }
[data-eca-guard="error"]::after { color: #ba0517; background: #fef1ee; }
[data-eca-guard="warning"]::after { color: #8c4b02; background: #fff8ea; }
[data-eca-guard="deviation"]::after { color: #014486; background: #eef4ff; font-weight: 400; }
[data-eca-guard="info"]::after { color: #444; background: #f3f3f3; font-weight: 400; }
@media (prefers-color-scheme: dark) {
  [data-eca-guard="error"] { outline-color: #ff8b80; }
  [data-eca-guard="warning"] { outline-color: #ffbf66; }
  [data-eca-guard="deviation"] { outline-color: #8cc4ff; }
  [data-eca-guard="info"] { outline-color: #b9bec6; }
  [data-eca-guard="error"]::after { color: #ffb3ab; background: #3b1214; }
  [data-eca-guard="warning"]::after { color: #ffd08a; background: #36240b; }
  [data-eca-guard="deviation"]::after { color: #b5d8ff; background: #0d2640; }
  [data-eca-guard="info"]::after { color: #d8dbe0; background: #2a2d33; }
}
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
      style.setAttribute('data-eca-guard-own', '');
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

  // ---- descriptions -------------------------------------------------------------------------

  const INPUTS = 'input:not([type=hidden]), textarea, select, [role="combobox"], [role="listbox"]';
  let nextId = 0;
  const boxes = new WeakMap(); // document or shadow root → its messages container
  const wired = new Map(); // input → {id, invalid: whether we set aria-invalid}
  const messages = new Map(); // host → its message element

  /** The inputs inside a host that take the description: its own input, or those it renders
   * (not a combobox's closed dropdown list). Kept per host while they are in the page: a
   * keystroke repaints the marks, and the host's inputs stay the same. */
  const inputsSeen = new WeakMap();
  function inputsOf(host) {
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(host.tagName)) return [host];
    const known = inputsSeen.get(host);
    if (known && known.length && known.every((e) => e.isConnected)) return known;
    const found = dom
      .withinAll(host, INPUTS)
      .filter((e) => !e.closest('[hidden]') && !(e.getAttribute('role') === 'listbox' && e.closest('.slds-dropdown, [role="combobox"]')))
      .slice(0, 4);
    inputsSeen.set(host, found);
    return found;
  }

  /** The hidden container of message elements in `root` (the document or a shadow root). */
  function box(root) {
    let b = boxes.get(root);
    if (b && b.isConnected) return b;
    const doc = root.ownerDocument || root;
    b = doc.createElement('div');
    b.setAttribute('data-eca-guard-messages', '');
    b.setAttribute('data-eca-guard-own', '');
    b.hidden = true;
    (root.nodeType === 9 ? root.body || root.documentElement : root).appendChild(b);
    boxes.set(root, b);
    return b;
  }

  function tokens(el) {
    return (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
  }

  /** Describes `host`'s inputs by `text`; `invalid`: an error or a warning. */
  function describe(host, text, invalid, keep) {
    const inputs = inputsOf(host);
    const targets = inputs.length ? inputs : [host];
    // One message element per host, in the tree of its first target (all a host's inputs share
    // its shadow root).
    const root = targets[0].getRootNode();
    let msg = messages.get(host);
    if (!msg || !msg.isConnected || msg.getRootNode() !== root) {
      if (msg) msg.remove();
      msg = (root.ownerDocument || root).createElement('span');
      msg.id = `eca-guard-msg-${++nextId}`;
      box(root).appendChild(msg);
      messages.set(host, msg);
    }
    if (msg.textContent !== text) msg.textContent = text;
    for (const t of targets) {
      keep.add(t);
      const w = wired.get(t) || { id: msg.id, invalid: false };
      if (w.id !== msg.id) {
        setAttr(t, 'aria-describedby', tokens(t).filter((x) => x !== w.id).join(' '));
        w.id = msg.id;
      }
      const ids = tokens(t);
      if (!ids.includes(msg.id)) t.setAttribute('aria-describedby', [...ids, msg.id].join(' '));
      const canInvalid = t !== host || inputs.length > 0;
      if (invalid && canInvalid && !w.invalid && t.getAttribute('aria-invalid') !== 'true') {
        t.setAttribute('aria-invalid', 'true');
        w.invalid = true;
      } else if (!invalid && w.invalid) {
        t.removeAttribute('aria-invalid');
        w.invalid = false;
      }
      wired.set(t, w);
    }
  }

  /** Takes our description (and aria-invalid, if ours) off an input. */
  function undescribe(t, w) {
    const ids = tokens(t).filter((x) => x !== w.id);
    if (ids.length) t.setAttribute('aria-describedby', ids.join(' '));
    else t.removeAttribute('aria-describedby');
    if (w.invalid && t.getAttribute('aria-invalid') === 'true') t.removeAttribute('aria-invalid');
  }

  // The descriptions follow the marks in a task of their own: the marks are what a keystroke
  // waits for, and a description is read when its input is next focused.
  let pending = null; // [{host, text, invalid}] of the latest mark()
  let describeTimer = 0;
  function describeSoon(list) {
    pending = list;
    if (!describeTimer) describeTimer = setTimeout(() => ((describeTimer = 0), g.marks.describeAll()), 0);
  }

  /** Describes the inputs of the latest marks, and takes our descriptions off the others. */
  function describeAll() {
    const list = pending || [];
    pending = null;
    const keepInputs = new Set();
    const hosts = new Set();
    for (const { host, text, invalid } of list) {
      if (!host.isConnected) continue;
      hosts.add(host);
      describe(host, text, invalid, keepInputs);
    }
    for (const [host, msg] of messages) {
      if (hosts.has(host)) continue;
      msg.remove();
      messages.delete(host);
    }
    for (const [t, w] of wired) {
      if (keepInputs.has(t)) continue;
      undescribe(t, w);
      wired.delete(t);
    }
  }

  /** Marks controls; `controls` maps field → host element. */
  function mark(controls, findings) {
    const byField = new Map();
    for (const f of findings) {
      if (!byField.has(f.field)) byField.set(f.field, []);
      byField.get(f.field).push(f);
    }
    const keep = new Set();
    const described = [];
    for (const [field, host] of Object.entries(controls)) {
      const fs = byField.get(field);
      if (!fs || !fs.length) continue;
      const sorted = [...fs].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
      const sev = worst(fs);
      ensureStyles(host);
      setAttr(host, 'data-eca-guard', sev);
      setAttr(host, 'data-eca-guard-rules', [...new Set(fs.map((f) => f.rule))].join(' '));
      const more = fs.length > 1 ? ` (+${fs.length - 1} more in the ECA Guard panel)` : '';
      const message = `${sorted[0].message} ${sorted[0].fix}${more}`;
      setAttr(host, 'data-eca-guard-message', message);
      described.push({ host, text: `ECA Guard: ${message}`, invalid: sev === 'error' || sev === 'warning' });
      keep.add(host);
    }
    for (const host of marked) {
      if (!keep.has(host)) for (const a of MARK_ATTRS) host.removeAttribute(a);
    }
    marked.clear();
    for (const h of keep) marked.add(h);
    if (described.length || wired.size || messages.size) describeSoon(described);
  }

  // describeAll through here, so content/perf.js counts it (with the panel's later work).
  g.marks = { mark, setAttr, describeAll };
})();
