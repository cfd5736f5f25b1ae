// ECA Guard content script, after paint.js: what the page panel shows, for the browser tests.
// The panel's shadow root is closed, so neither the page nor Playwright can read it; the tests
// evaluate `ecaGuard.paint.view()` in this content script's own world through CDP
// (tests/e2e/harness.mjs panelView). Read-only: it builds nothing and changes nothing.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;

  const text = (n) => (n ? n.textContent.replace(/\s+/g, ' ').trim() : '');
  function rect(n) {
    if (!n || n.hidden) return null;
    const r = n.getBoundingClientRect();
    return r.width || r.height ? { x: r.left, y: r.top, w: r.width, h: r.height } : null;
  }
  function colors(n) {
    if (!n) return null;
    const s = getComputedStyle(n);
    return { fg: s.color, bg: s.backgroundColor };
  }

  /** What the panel shows, or null before its UI is built. */
  function view(root, ui) {
    if (!root || !ui) return null;
    const all = [...root.childNodes].filter((n) => n.localName !== 'style');
    const item = (li) => ({
      rule: li.dataset.rule,
      field: li.dataset.field,
      severity: [...li.classList].find((c) => c !== 'finding'),
      text: text(li.querySelector('.go')),
      fix: text(li.querySelector('.fix')),
      button: li.querySelector('button.go') ? true : false,
      rect: rect(li.querySelector('.go')),
    });
    const active = root.activeElement;
    const notes = ui.body.querySelector('details.notes');
    return {
      items: [...root.querySelectorAll('li[data-rule]')].map((li) => li.dataset.rule),
      text: all.map((n) => n.textContent).join(' '),
      layout: g.panelLayout.view(),
      card: { shown: !ui.card.hidden, rect: rect(ui.card), overlay: !ui.overlayNote.hidden },
      chip: { shown: !ui.chip.hidden, rect: rect(ui.chip), label: ui.chip.getAttribute('aria-label'), text: text(ui.chip), title: ui.chip.title },
      buttons: { hide: rect(ui.hide), dock: rect(ui.dockBtn), dockLabel: text(ui.dockBtn) },
      exports: {
        present: !!ui.exports,
        children: ui.exports.children.length,
        copy: rect(ui.exports.querySelector('[data-export="copy"]')),
        status: text(ui.exports.querySelector('.export-status')),
      },
      groups: [...ui.body.querySelectorAll('section.group')].map((s) => ({ field: s.dataset.field, heading: text(s.querySelector('h3')), findings: [...s.querySelectorAll('li[data-rule]')].map(item) })),
      notes: notes ? { open: notes.open, summary: text(notes.querySelector('summary')), findings: [...notes.querySelectorAll('li[data-rule]')].map(item), rect: rect(notes.querySelector('summary')) } : null,
      progress: ui.progress.hidden ? '' : text(ui.progress),
      message: ui.msg.hidden ? '' : text(ui.msg),
      status: text(ui.status),
      focus: active ? { tag: active.localName, class: active.className, text: text(active).slice(0, 80) } : null,
      colors: {
        card: colors(ui.card),
        header: colors(ui.header),
        title: colors(ui.title),
        finding: colors(ui.body.querySelector('.go .text')),
        sev: colors(ui.body.querySelector('.go .sev')),
        fix: colors(ui.body.querySelector('.fix')),
        link: colors(ui.body.querySelector('a')),
        progress: colors(ui.progress.hidden ? null : ui.progress),
        chip: colors(ui.chip),
      },
    };
  }

  g.panelView = view;
})();
