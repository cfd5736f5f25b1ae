// ECA Guard: the evidence buttons, "Copy checklist" and "Download report" (Markdown or JSON), for
// the page panel's `.exports` slot (content script) and the toolbar popup (popup.html loads this
// file too). The worker gathers the tab's latest check and the org's readings and the core writes
// the report (worker/report.js, src/report/): this file only asks for it, then copies or saves
// the text it is given. docs/contract.md, "Evidence report".
//
// Copy: navigator.clipboard.writeText, inside the click that asked for it. Download: a Blob URL
// on an `<a download>`, so no `downloads` permission is needed. Only the admin's own clicks count
// (`isTrusted`): a page's script that dispatches a click on the buttons gets nothing copied or
// saved.
(() => {
  'use strict';
  const g = (globalThis.ecaGuard = globalThis.ecaGuard || {});
  if (g.exportButtons) return;

  const { el } = g.dom;

  const FORMATS = {
    markdown: { label: 'Markdown (.md)', type: 'text/markdown;charset=utf-8', text: (r) => r.markdown },
    json: { label: 'JSON (.json)', type: 'application/json;charset=utf-8', text: (r) => r.json },
  };

  /** The worker's report for this tab (the content script's port; the protocol is read when
   * asked, as the popup loads this file before its module). */
  function askWorker(format) {
    const { TYPES: T } = globalThis.ecaGuardProtocol;
    return g.send({ type: T.report, format });
  }

  /** Saves `text` as `filename` through a Blob URL (revoked once the download has started). */
  function save(parent, text, type, filename) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el('a', { href: url, download: filename, hidden: '' });
    parent.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  }

  /**
   * The two controls, in a fragment: the Copy checklist button, and the Download report button
   * with its menu of formats (and a status line for both). `request(format)` resolves to the
   * worker's reply `{ok, markdown, json, filename}`; by default the content script's own.
   */
  function exportButtons({ request = askWorker } = {}) {
    const status = el('span', { class: 'export-status', role: 'status', 'aria-live': 'polite' });
    const say = (text, bad) => {
      status.textContent = text;
      status.classList.toggle('bad', !!bad);
    };
    const fetchReport = async (format) => {
      const reply = await request(format);
      if (!reply || !reply.ok) {
        say((reply && reply.error && reply.error.message) || 'ECA Guard did not answer.', true);
        return null;
      }
      return reply;
    };

    const copy = el('button', { type: 'button', class: 'export-copy', 'data-export': 'copy', title: 'The findings and the org checks as a Markdown checklist, for a change ticket' }, 'Copy checklist');
    copy.addEventListener('click', async (e) => {
      e.stopPropagation();
      if (!e.isTrusted) return;
      const reply = await fetchReport('markdown');
      if (!reply) return;
      try {
        await navigator.clipboard.writeText(reply.markdown);
        say('Checklist copied.');
      } catch (_) {
        say('The browser did not let ECA Guard copy: use Download report.', true);
      }
    });

    const menu = el('span', { class: 'export-menu', role: 'menu', hidden: '' });
    const download = el('button', { type: 'button', class: 'export-download', 'data-export': 'download', 'aria-haspopup': 'menu', 'aria-expanded': 'false' }, 'Download report');
    const open = (on) => {
      menu.hidden = !on;
      download.setAttribute('aria-expanded', String(on));
      if (on) menu.querySelector('button').focus();
    };
    download.addEventListener('click', (e) => {
      e.stopPropagation();
      if (!e.isTrusted) return;
      open(menu.hidden);
    });
    const group = el('span', { class: 'export-group' }, download, menu, status);
    for (const [format, f] of Object.entries(FORMATS)) {
      const item = el('button', { type: 'button', role: 'menuitem', 'data-format': format }, f.label);
      item.addEventListener('click', async (e) => {
        e.stopPropagation();
        if (!e.isTrusted) return;
        open(false);
        download.focus();
        const reply = await fetchReport(format);
        if (!reply) return;
        save(group, f.text(reply), f.type, reply.filename);
        say(`Saved ${reply.filename}.`);
      });
      menu.append(item);
    }
    menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        open(false);
        download.focus();
      }
    });

    const frag = document.createDocumentFragment();
    frag.append(copy, group);
    return frag;
  }

  g.exportButtons = exportButtons;
})();
