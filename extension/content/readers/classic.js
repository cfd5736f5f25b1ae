// Helpers for classic Setup pages (Java "_ui" pages and Visualforce) that Lightning shows in the
// Aloha iframe (docs/salesforce-dom.md §0.2). The content script runs inside that iframe itself
// (all_frames), so these read their own document and never reach across frames.
//
// Classic pages lay settings out as table.detailList rows of td/th.labelCol + td.dataCol or
// td.data2Col. We go by label text (content/labels.js, any sourced language): `label[for]` →
// control, else the control in the label's own cell (checkbox-first rows), else the one in the
// data cell next to it. Label cells may hold a help bubble with an inline script, whose text is
// not label text (docs/salesforce-dom.md, "What the base components' JavaScript renders").
// Positional ids (`p23`) and generated Visualforce ids change between releases: never used for
// reading (§4).
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, labels: L } = g;

  /** Label text without the trailing colon and required marks classic pages add. */
  const labelKey = (text) => L.key(text);

  /** A cell's or label's text without script text (help bubbles), cheaply when it has none. */
  function shownText(el) {
    const scripts = el.getElementsByTagName('script');
    let t = el.textContent;
    for (let i = 0; i < scripts.length; i++) t = t.replace(scripts[i].textContent, ' ');
    return dom.norm(t);
  }

  /** True in a classic Setup document (docs/salesforce-dom.md §0.1: `body.sfdcBody`). */
  function isClassic(doc) {
    return !!(doc.body && doc.body.classList.contains('sfdcBody'));
  }

  /**
   * One pass over the page's labels: key → [{el, text}]. `label` elements first, then label
   * cells (some rows have a label cell without a <label>).
   */
  function labelIndex(doc) {
    const map = new Map();
    const add = (el) => {
      const text = shownText(el);
      const key = labelKey(text);
      if (!key || key.length > 200) return;
      if (!map.has(key)) map.set(key, []);
      map.get(key).push({ el, text: text.replace(/\s*[:：]$/, '') });
    };
    for (const el of doc.querySelectorAll('label')) add(el);
    for (const el of doc.querySelectorAll('td.labelCol, th.labelCol')) add(el);
    return map;
  }

  /** The data cell that belongs to a label cell (the next td.dataCol/data2Col in its row). */
  function dataCellOf(el) {
    const cell = el.closest('td, th');
    if (!cell) return null;
    for (let n = cell.nextElementSibling; n; n = n.nextElementSibling) {
      if (n.matches('td.dataCol, td.data2Col, td.dataCell, td')) return n;
    }
    return null;
  }

  /**
   * Finds a control by label. Returns `{control, label}` or `{reason}`:
   * - `label[for]` whose target matches `selector`;
   * - else the first `selector` match in the data cell next to the label's cell.
   */
  function control(index, labels, selector) {
    let sawLabel = null;
    for (const wanted of labels) {
      const hits = index.get(labelKey(wanted)) || [];
      for (const { el, text } of hits) {
        sawLabel = sawLabel || text;
        const forId = el.tagName === 'LABEL' ? el.getAttribute('for') : null;
        if (forId) {
          const target = el.ownerDocument.getElementById(forId);
          if (target && target.matches(selector)) return { control: target, label: text };
        }
        // A checkbox-first row keeps the control in the label's own cell.
        const own = el.closest('td, th');
        const inOwn = own && own.querySelector(selector);
        if (inOwn) return { control: inOwn, label: text };
        const cell = dataCellOf(el);
        const inCell = cell && (cell.matches(selector) ? cell : cell.querySelector(selector));
        if (inCell) return { control: inCell, label: text };
      }
    }
    if (sawLabel) return { reason: `found "${sawLabel}", but not the setting next to it`, label: sawLabel };
    return { reason: `no "${labels[0]}" label on this page (renamed or removed by a Salesforce release?)` };
  }

  /** The read-only value cell next to a label (detail pages), or `{reason}`. */
  function valueCell(index, labels) {
    for (const wanted of labels) {
      for (const { el, text } of index.get(labelKey(wanted)) || []) {
        const cell = dataCellOf(el);
        if (cell) return { control: cell, label: text };
      }
    }
    return { reason: `no "${labels[0]}" label on this page (renamed or removed by a Salesforce release?)` };
  }

  // Checkbox images on classic detail pages: <img class="checkImg" alt="Checked"
  // src="/img/checkbox_checked.gif">. The file name is not translated; the alt text is (its
  // sourced translations are in content/labels.js).

  /** Reads a read-only checkbox (image or disabled input) in a cell: true/false or null. */
  function checkedIn(cell) {
    const input = cell.querySelector('input[type="checkbox"]');
    if (input) return input.checked;
    const img = cell.querySelector('img.checkImg, img[alt], img[title]');
    if (!img) return null;
    const src = img.getAttribute('src') || '';
    if (/checkbox_checked/i.test(src)) return true;
    if (/checkbox_unchecked/i.test(src)) return false;
    const v = L.boolText(img.getAttribute('alt') || img.getAttribute('title'));
    return v === undefined ? null : v;
  }

  const lines = dom.lines;

  /** Labels of `field` to look for on a page in `lang` (content/labels.js). */
  const labelsOf = (field, lang) => L.of('fields', field, lang);

  /** `labelsUnknown` for a classic page recognised by its path whose labels matched none: its
   * language (or 'unknown'), else null. */
  function unknownLang(doc, found) {
    const lang = L.pageLang(doc);
    return !L.known(lang) && !found ? lang || 'unknown' : null;
  }

  /** A field reading helper: collects snapshot values, controls, labels and unreadable fields. */
  function collector(page) {
    const snapshot = { page, unreadable: [] };
    const controls = {};
    const labels = {};
    return {
      snapshot,
      controls,
      labels,
      value(field, found, value) {
        if (found.label) labels[field] = found.label;
        if (found.control) controls[field] = found.control;
        if (found.reason || value === null || value === undefined) {
          snapshot.unreadable.push({ field, reason: found.reason || `could not tell the value of "${found.label || field}"` });
        } else {
          snapshot[field] = value;
        }
      },
      result: () => {
        if (Object.keys(labels).length) snapshot.labels = { ...labels };
        return { snapshot, controls, labels };
      },
    };
  }

  g.classic = { labelKey, shownText, isClassic, labelIndex, dataCellOf, control, valueCell, checkedIn, lines, labelsOf, unknownLang, collector };
})();
