// ECA Guard content script, loaded first (worker/inject.js): the shared namespace and DOM helpers.
// Classic script (not a module): the content scripts share `globalThis.ecaGuard` in the
// extension's isolated world. The popup loads it too, for `el` (content/export-buttons.js).
//
// Why a deep query: Lightning Setup renders base components in synthetic shadow (a flattened
// light DOM, where plain querySelectorAll works) but components may opt into native shadow
// (real open shadow roots). We walk both (docs/salesforce-dom.md §0.3, §7). We never use LWC ids
// (rewritten with numeric suffixes) nor lwc-* attributes (internal).
(() => {
  'use strict';
  const g = (globalThis.ecaGuard = globalThis.ecaGuard || {});
  g.readers = g.readers || [];

  /** Base-component hosts a control belongs to (the contract marks these). */
  const HOSTS = 'lightning-input,lightning-textarea,lightning-dual-listbox,lightning-combobox,lightning-radio-group';

  /** A new element with attributes (`class` as className) and children (null/undefined skipped). */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }

  /** Collapses whitespace and drops a leading required-field asterisk. */
  function norm(text) {
    return String(text || '')
      .replace(/\s+/g, ' ')
      .replace(/^\*\s*/, '')
      .trim();
  }

  /** Every root to search: the document (or element) and every open shadow root below it. */
  function roots(start) {
    const out = [start];
    for (let i = 0; i < out.length; i++) {
      const root = out[i];
      const walker = (root.ownerDocument || root).createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
      let n = walker.currentNode;
      while (n) {
        if (n.shadowRoot && !out.includes(n.shadowRoot)) out.push(n.shadowRoot);
        n = walker.nextNode();
      }
    }
    return out;
  }

  /** querySelectorAll across open shadow roots. */
  function queryAll(start, selector) {
    const found = [];
    for (const r of roots(start)) {
      if (r.nodeType === 1 && r.matches(selector)) found.push(r);
      for (const el of r.querySelectorAll(selector)) found.push(el);
    }
    return found;
  }

  function query(start, selector) {
    return queryAll(start, selector)[0] || null;
  }

  /** The parent element, stepping out of a shadow root to its host. */
  function parentOf(el) {
    if (el.parentElement) return el.parentElement;
    const root = el.getRootNode && el.getRootNode();
    return root && root.host ? root.host : null;
  }

  /** The nearest ancestor (or self) matching `selector`, crossing shadow boundaries. */
  function closestDeep(el, selector) {
    for (let n = el; n; n = parentOf(n)) {
      if (n.nodeType === 1 && n.matches(selector)) return n;
    }
    return null;
  }

  /** querySelector inside a host, in its shadow root when it has one, else its light DOM. */
  function within(host, selector) {
    return query(host, selector);
  }

  function withinAll(host, selector) {
    return queryAll(host, selector);
  }

  /** Whether the element is rendered (Setup hides sections rather than removing them). */
  function visible(el) {
    for (let n = el; n; n = parentOf(n)) {
      if (n.hidden) return false;
    }
    return !!(el.getClientRects && el.getClientRects().length);
  }

  /**
   * The child nodes of `n` as rendered: a host's shadow root instead of its light children (which
   * its <slot>s bring in), a <slot>'s assigned nodes, or its own children where it is not in a
   * shadow tree (synthetic shadow keeps <slot> elements with the slotted content inside:
   * docs/salesforce-dom.md, "What the base components' JavaScript renders").
   */
  function rendered(n) {
    if (n.shadowRoot) return n.shadowRoot.childNodes;
    if (n.localName === 'slot' && n.assignedNodes) {
      const a = n.assignedNodes({ flatten: true });
      if (a.length) return a;
    }
    return n.childNodes;
  }

  /** Lines of a read-only value: <br>, list items, rows and blocks separate lines; script text
   * (classic help bubbles carry some) is not text; shadow roots are crossed (a
   * lightning-formatted-text keeps its text in its own root with native shadow). */
  function lines(el) {
    const out = [''];
    const walk = (n) => {
      if (n.nodeType === 3) {
        out[out.length - 1] += n.nodeValue;
        return;
      }
      if (n.nodeType !== 1 && n.nodeType !== 11) return;
      if (n.tagName === 'SCRIPT' || n.tagName === 'STYLE') return;
      if (n.nodeType === 1 && n.hasAttribute('data-eca-guard-own')) return; // our own (marks.js's messages)
      const block = n.nodeType === 1 && /^(BR|LI|DIV|P|UL|OL|TR)$/.test(n.tagName);
      if (block) out.push('');
      for (const c of rendered(n)) walk(c);
      if (block) out.push('');
    };
    walk(el);
    return out.map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
  }

  /** An element's text as shown: without script text, across shadow roots, on one line. */
  function text(el) {
    // Most labels are a leaf or hold plain inline elements: their textContent is what shows.
    if (!el.shadowRoot && (el.childElementCount === 0 || !el.querySelector('script, style, slot, br, li, div, p, *:not(abbr):not(span):not(b):not(i)'))) return norm(el.textContent);
    return norm(lines(el).join(' '));
  }

  /** Elements matching `selector` in rendered (composed) order, for readers that go by the
   * position of controls rather than their labels. */
  function ordered(start, selector) {
    const out = [];
    const walk = (n) => {
      if (n.nodeType !== 1 && n.nodeType !== 11 && n.nodeType !== 9) return;
      if (n.nodeType === 1 && n.matches(selector)) out.push(n);
      if (n.nodeType === 1 && n.shadowRoot) {
        walk(n.shadowRoot);
        // Light children a native root does not slot are not shown; those it does come in order
        // through the slot below.
        return;
      }
      for (const c of n.localName === 'slot' ? rendered(n) : n.childNodes) walk(c);
    };
    walk(start);
    return out;
  }

  g.dom = { HOSTS, el, norm, roots, queryAll, query, parentOf, closestDeep, within, withinAll, visible, lines, text, ordered };
})();
