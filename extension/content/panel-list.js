// ECA Guard content script, before paint.js: the page panel's findings, grouped by setting: one
// heading per setting (the label the page shows, else the first sourced one for its language),
// its findings under it, each a button that scrolls to its control and focuses it, with its fix
// (the button's description) and its source. Notes (info findings and the pack's notes) come last,
// behind a disclosure (`<details>`), closed until opened.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom } = g;
  const NOTE = 'info';
  let ids = 0; // ids in the panel's root: never reused, so a kept group's stay unique

  const { el } = g.dom;

  /** A setting's label where the reader found none (its control is not on the page): the first
   * sourced one in the page's language, else English (content/labels.js). */
  function fieldLabel(field) {
    const L = g.labels;
    return (L && L.of('fields', field, L.pageLang(document))[0]) || field;
  }

  /** A finding's list item: its button (message), its fix and its source. */
  function findingItem(f, optionsLink) {
    const sev = `${f.severity.charAt(0).toUpperCase()}${f.severity.slice(1)}:`;
    const fixId = `eca-guard-fix-${++ids}`;
    const text = [el('span', { class: 'sev' }, sev), ' ', el('span', { class: 'text' }, f.message)];
    const main = f.field
      ? el('button', { type: 'button', class: 'go', 'data-field': f.field, 'aria-describedby': fixId }, ...text)
      : el('div', { class: 'go' }, ...text);
    const src = el('a', { href: f.source, target: '_blank', rel: 'noopener noreferrer' }, f.sourceTitle || f.source);
    return el(
      'li',
      { class: `finding ${f.severity}`, 'data-rule': f.rule, 'data-field': f.field || '' },
      main,
      el('p', { class: 'fix', id: fixId }, el('b', {}, 'Fix: '), f.fix, ...(f.fixInOptions ? [' ', optionsLink()] : [])),
      el('p', { class: 'src' }, 'Source: ', src)
    );
  }

  /**
   * Shows `state`'s findings in `body` (of the shadow root `root`) by setting, and the notes;
   * `memo.list` holds what it shows, and groups whose findings did not change keep their
   * elements (and the focus, when one of theirs has it).
   */
  function render(body, root, state, memo, optionsLink) {
    const findings = state.error ? [] : state.result.findings;
    const notes = state.error ? [] : state.result.notes || [];
    const labels = state.labels || {};
    const groups = [];
    const byField = new Map();
    const noted = [];
    for (const f of findings) {
      if (f.severity === NOTE) {
        noted.push(f);
        continue;
      }
      const id = f.field || '';
      if (!byField.has(id)) {
        byField.set(id, { id, label: (f.field && (labels[f.field] || fieldLabel(f.field))) || 'This page', findings: [] });
        groups.push(byField.get(id));
      }
      byField.get(id).findings.push(f);
    }
    const keyOf = (f) => JSON.stringify([f.severity, f.rule, f.field, f.message, f.fix, f.source, f.sourceTitle, !!f.fixInOptions]);
    const listKey = JSON.stringify([groups.map((gr) => [gr.label, gr.findings.map(keyOf)]), noted.map(keyOf), notes]);
    if (memo.list === listKey) return;
    memo.list = listKey;
    const old = new Map();
    for (const s of body.children) old.set(s._ecaKey, s);
    const parts = groups.map((gr) => {
      const key = JSON.stringify([gr.label, gr.findings.map(keyOf)]);
      const reuse = old.get(key);
      if (reuse) {
        old.delete(key);
        return reuse;
      }
      const s = el('section', { class: 'group', 'data-field': gr.id }, el('h3', {}, gr.label), el('ul', {}, ...gr.findings.map((f) => findingItem(f, optionsLink))));
      s._ecaKey = key;
      return s;
    });
    if (noted.length || notes.length) {
      const key = JSON.stringify(['notes', noted.map(keyOf), notes]);
      let d = old.get(key);
      if (!d) {
        const wasOpen = [...old.values()].some((x) => x.localName === 'details' && x.open);
        d = el('details', { class: 'notes' }, el('summary', {}, `Notes (${noted.length + notes.length})`), el('ul', {}, ...noted.map((f) => findingItem(f, optionsLink)), ...notes.map((t) => el('li', { class: 'note' }, t))));
        d.open = wasOpen;
        d._ecaKey = key;
      }
      parts.push(d);
    }
    const focused = root.activeElement;
    const li = focused && focused.closest && focused.closest('li[data-rule]');
    const same = parts.length === body.children.length && parts.every((p, i) => body.children[i] === p);
    if (!same) body.replaceChildren(...parts);
    if (!focused || (!body.contains(focused) && !li)) return;
    if (focused.isConnected) {
      if (root.activeElement !== focused) focused.focus();
    } else if (li) {
      // Its finding changed (a new message): the focus goes to the finding that replaced it.
      const again = [...body.querySelectorAll('li[data-rule]')].find((x) => x.dataset.rule === li.dataset.rule && x.dataset.field === li.dataset.field);
      const btn = again && again.querySelector('button.go');
      if (btn) btn.focus();
    }
  }

  /** A finding's button: scrolls to the control of `field` in `controls` and focuses it; false
   * when that control is not on the page. */
  function goTo(field, controls) {
    const host = controls[field];
    if (!host || !host.isConnected) return false;
    // Up or down to it; not sideways, which would move a panel docked left out of sight.
    const x = scrollX;
    host.scrollIntoView({ block: 'center', inline: 'nearest' });
    if (scrollX !== x) scrollTo(x, scrollY);
    const target = /^(INPUT|SELECT|TEXTAREA)$/.test(host.tagName)
      ? host
      : dom.within(host, 'input:not([type=hidden]), textarea, select, button[role="combobox"], [role="option"][tabindex="0"], [role="option"], [role="listbox"]');
    if (target) target.focus({ preventScroll: true });
    return true;
  }

  g.panelList = { render, goTo };
})();
