// ECA Guard content script, part 3 of 4: paints a check's result on the page (contract, "On
// the page"): the controls' marks (content/marks.js) and one `<eca-guard-panel>` with
// `data-errors`, `data-warnings`, `data-deviations` and `data-rules`. The panel's own DOM lives in
// a closed shadow root, so Setup's CSS cannot reach it, ours cannot leak, and the page's scripts
// can neither read it nor rewrite what it says (e.g. "ready" over errors); docs/server.md, "What
// is protected". Tests read it through `view` below. Its styles (content/panel-style.js) are
// constructed stylesheets: not subject to the page's CSP. Where it sits: content/panel-layout.js.
//
// The panel: a header (pack, counts, the export buttons' slot, Dock and Hide), the progress
// line, then the findings grouped by setting (one heading per setting, the label the page
// shows), each finding a button that scrolls to its control and focuses it; notes (info
// findings and the pack's notes) behind a disclosure. Collapsed, it is a chip with the counts.
// A polite live region says the counts when they change; Escape collapses the panel; the
// keyboard shortcut (manifest `commands`, worker/panel.js) opens it and moves the focus in.
// The findings list: content/panel-list.js; the progress line ("4 of 9 fixed", defined there):
// content/panel-progress.js.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const layout = g.panelLayout;
  const { api, TYPES: T } = globalThis.ecaGuardProtocol;

  const { mark, setAttr } = g.marks;
  const ANNOUNCE_MS = 1000;

  let panel = null;
  let panelRoot = null;
  let ui = null; // the panel's parts, built once per panel, then updated in place
  let shown = {}; // what each part shows, so unchanged parts are not touched
  let listState = null; // the state the panel must show
  let listIdle = 0;
  let controlsNow = {}; // field → host of the latest paint, for the findings' buttons
  let framed = false;

  const { el } = g.dom;

  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  /** Whether this document is in a frame. Chromium's ancestorOrigins first: touching
   * `window.top` from the content script cost about 1 ms on a classic page's load (measured). */
  function inFrame() {
    const ancestors = location.ancestorOrigins;
    if (ancestors) return ancestors.length > 0;
    try {
      return window.top !== window;
    } catch (_) {
      return true;
    }
  }

  /** The panel element (the contract's counts live on it); its UI is built by ensureUi. */
  function ensurePanel(doc) {
    if (panel && panel.isConnected) return;
    panel = doc.createElement('eca-guard-panel');
    framed = inFrame();
    if (framed) panel.setAttribute('data-in-frame', '');
    panelRoot = null;
    ui = null;
    (doc.body || doc.documentElement).appendChild(panel);
    // Asked now on a top page, whose UI waits for it; in a frame, when the page is idle.
    if (!framed) layout.loadPrefs();
  }

  function sheet(css) {
    const s = new CSSStyleSheet();
    s.replaceSync(css);
    return s;
  }

  /** The shadow root, its styles, the chip, the card and the live region. */
  function ensureUi() {
    if (ui) return;
    panelRoot = panel.attachShadow({ mode: 'closed' });
    let geometry = sheet('');
    let geoStyle = null;
    try {
      panelRoot.adoptedStyleSheets = [sheet(g.panelStyle.CSS), geometry];
    } catch (_) {
      // Firefox content scripts cannot always adopt into the page's tree: <style> elements.
      geometry = null;
      geoStyle = el('style');
      panelRoot.append(el('style', {}, g.panelStyle.CSS), geoStyle);
    }
    const status = el('div', { class: 'sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const chip = el('button', { type: 'button', class: 'chip', 'aria-expanded': 'false', 'aria-controls': 'eca-guard-card' });
    chip.addEventListener('click', () => open(true));
    const title = el('h2', { id: 'eca-guard-title' }, 'ECA Guard');
    const counts = el('span', { class: 'counts' });
    // "Copy checklist" and "Download report" (content/export-buttons.js: the report is the
    // core's, asked of the worker; the buttons answer the admin's own clicks only).
    const exports = el('div', { class: 'exports' });
    if (g.exportButtons) exports.append(g.exportButtons());
    const dockBtn = el('button', { type: 'button', class: 'dock' });
    dockBtn.addEventListener('click', () => {
      layout.setDock(layout.dock() === 'right' ? 'left' : 'right');
      setDockButton();
    });
    const hide = el('button', { type: 'button', class: 'hide', 'aria-expanded': 'true', 'aria-controls': 'eca-guard-card' }, 'Hide');
    hide.addEventListener('click', () => collapse(true));
    const header = el('header', {}, title, counts, el('div', { class: 'tools' }, dockBtn, hide), exports);
    const overlayNote = el('div', { class: 'overlay-note', hidden: '' }, 'No room beside this page: this covers part of it. Hide or Escape closes it.');
    const progress = el('div', { class: 'progress', hidden: '' });
    const msg = el('div', { class: 'msg', hidden: '' });
    const body = el('div', { class: 'body' });
    body.addEventListener('click', (e) => {
      const btn = e.target.closest('button.go');
      if (btn && !g.panelList.goTo(btn.getAttribute('data-field'), controlsNow)) say('That setting is not shown on this page.');
    });
    const card = el('section', { class: 'card', id: 'eca-guard-card', role: 'region', 'aria-labelledby': 'eca-guard-title', hidden: '' }, header, overlayNote, progress, msg, body);
    panelRoot.append(status, chip, card);
    panelRoot.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !ui.card.hidden) {
        e.stopPropagation();
        collapse(true);
      }
    });
    ui = { card, chip, header, title, pack: null, counts, exports, dockBtn, hide, overlayNote, progress, msg, body, status, geometry, geoStyle };
    shown = {};
    setDockButton();
    const prefs = layout.prefs() || {};
    layout.attach({ host: panel, apply: applyGeometry, chipSize, open: typeof prefs.open === 'boolean' ? prefs.open : !framed, explicit: false });
  }

  function setDockButton() {
    ui.dockBtn.textContent = layout.dock() === 'right' ? 'Dock left' : 'Dock right';
  }

  /** Shows the chip or the card where panel-layout.js placed it. */
  function applyGeometry(geo) {
    const chip = geo.shape === 'chip';
    ui.chip.hidden = !chip;
    ui.card.hidden = chip;
    ui.overlayNote.hidden = !geo.overlay;
    let css = `:host { left: ${geo.left}px; top: ${geo.top}px; }`;
    if (!chip) css += ` .card { width: ${geo.width}px; max-height: ${geo.maxHeight}px; }`;
    if (ui.geoStyle) ui.geoStyle.textContent = css;
    else ui.geometry.replaceSync(css);
    const noRoom = chip && layout.state.open;
    ui.chip.title = noRoom ? 'No room beside this page at this width: opening the findings makes it scroll sideways, or covers part of it.' : '';
  }

  function chipSize() {
    const r = ui.chip.getBoundingClientRect();
    return { w: Math.ceil(r.width), h: Math.ceil(r.height) };
  }

  /** Opens the card; `explicit`: the user asked (kept for the next pages). */
  function open(explicit) {
    layout.setOpen(true, explicit);
    ui.chip.setAttribute('aria-expanded', String(!ui.card.hidden));
    if (explicit && !ui.card.hidden) focusInside();
  }

  function collapse(explicit) {
    const hadFocus = !!panelRoot.activeElement;
    layout.setOpen(false, explicit);
    ui.chip.setAttribute('aria-expanded', 'false');
    if (hadFocus) ui.chip.focus();
  }

  /** Focus on the first finding, else on Hide. */
  function focusInside() {
    const first = ui.body.querySelector('button.go') || ui.hide;
    first.focus();
  }

  const idle = (fn) => (globalThis.requestIdleCallback ? requestIdleCallback(fn, { timeout: 500 }) : setTimeout(fn, 50));

  /**
   * Renders the panel. `state` is {result, labels, controls} after a check, or {error} when the
   * worker could not check (no pack chosen, bad settings). The counts are set at once; of the
   * UI only parts whose content changed are touched. In a frame (where the panel starts
   * collapsed) the first UI waits until the page is idle, so a classic page's load pays for the
   * marks only; everywhere it waits for the user's preference (one message to the worker).
   */
  function render(doc, state) {
    ensurePanel(doc);
    controlsNow = state.controls || {};
    setCounts(state.result);
    listState = state;
    g.panelProgress.track(state.result, () => (renderProgress(), announceSoon()));
    if (!ui && (framed || !layout.prefs())) return later();
    build();
  }

  function build() {
    ensureUi();
    renderHead(listState);
    renderList(); // collapsed too: the chip opens it at once, and tests read it
    renderProgress();
    announceSoon();
    // The first placement measures the page: after the next frame is drawn, when the page's
    // layout is done already (measuring now would do it here, for the browser).
    if (!layout.state.placed) requestAnimationFrame(() => setTimeout(() => layout.place(), 0));
    else layout.schedule();
  }

  /** Builds what waits: after the preference is here and, in a frame, when the page is idle. */
  function later() {
    if (listIdle) return;
    listIdle = -1;
    layout.loadPrefs().then(() => {
      if (framed) {
        listIdle = idle(() => ((listIdle = 0), g.paint.renderIdle()));
      } else {
        listIdle = 0;
        g.paint.renderIdle();
      }
    });
  }

  function renderIdle() {
    if (!panel || !panel.isConnected || !listState) return;
    build();
  }

  /** A link that opens ECA Guard's options page (where a fix in its own settings is made). */
  function optionsLink() {
    const link = el('a', { href: '#', class: 'options-link' }, "Open ECA Guard's options");
    link.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      g.send && g.send({ type: T.openOptions });
    });
    return link;
  }

  /** The header (pack, counts), the chip's counts, and the error message when there is one. */
  function renderHead(state) {
    const err = state.error ? `${state.error.kind}\n${state.error.message}` : null;
    if (shown.msg !== err) {
      shown.msg = err;
      ui.msg.hidden = !err;
      if (err) {
        ui.msg.replaceChildren(state.error.message);
        if (state.error.kind === 'NoPack' || state.error.kind === 'UnknownPack') ui.msg.append(' ', optionsLink());
      }
    }
    // A report needs a check: no buttons for one while the page says why it was not checked.
    ui.exports.hidden = !!state.error;
    const head = state.error ? null : state.result.packName;
    if (shown.head !== head) {
      shown.head = head;
      if (!ui.pack) ui.title.append((ui.pack = el('span', { class: 'pack' })));
      ui.pack.textContent = head || '';
      ui.pack.hidden = !head;
    }
    const c = state.error ? null : state.result.counts;
    const key = c ? `${c.errors}/${c.warnings}/${c.deviations}` : '';
    if (shown.counts === key) return;
    shown.counts = key;
    const pills = [];
    const said = [];
    if (c) {
      for (const [n, kind] of [[c.errors, 'error'], [c.warnings, 'warning'], [c.deviations, 'deviation']]) {
        if (!n) continue;
        pills.push([n, kind]);
        said.push(plural(n, kind));
      }
      if (!c.errors && !c.warnings) said.unshift('ready');
    }
    ui.counts.replaceChildren(...pills.map(([n, kind]) => el('span', { class: `pill ${kind}` }, plural(n, kind))));
    if (c && !c.errors && !c.warnings) ui.counts.prepend(el('span', { class: 'pill ok' }, 'ready'));
    const chipPills = pills.length ? pills.map(([n, kind]) => el('span', { class: `pill ${kind}`, title: plural(n, kind) }, String(n))) : c ? [el('span', { class: 'pill ok' }, 'ready')] : [];
    ui.chip.replaceChildren(el('span', {}, 'ECA Guard'), ...chipPills);
    ui.chip.setAttribute('aria-label', `ECA Guard: ${c ? said.join(', ') : state.error ? 'not checked' : ''}. Show the findings`);
  }

  // ---- progress and the live region ------------------------------------------------------------

  function renderProgress() {
    if (!ui) return;
    const { total, fixed } = g.panelProgress.counts();
    const key = `${fixed}/${total}`;
    if (shown.progress === key) return;
    shown.progress = key;
    ui.progress.hidden = !total;
    ui.progress.replaceChildren(...(total ? [el('b', {}, `${fixed} of ${total} fixed`), ' since this page loaded'] : []));
    ui.progress.title = 'Errors and warnings seen on this page since it was loaded, and how many of them are gone.';
  }

  let announceTimer = 0;
  let announced = '';
  /** Says the counts (and progress) in the live region once they stop changing. */
  function announceSoon() {
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      if (!ui || !listState) return;
      const s = listState;
      let text;
      if (s.error) text = `ECA Guard: ${s.error.message}`;
      else {
        const c = s.result.counts;
        const parts = [plural(c.errors, 'error'), plural(c.warnings, 'warning')];
        if (c.deviations) parts.push(plural(c.deviations, 'deviation'));
        const p = g.panelProgress.counts();
        text = `ECA Guard: ${parts.join(', ')}.${p.total ? ` ${p.fixed} of ${p.total} fixed.` : ''}`;
      }
      if (text !== announced) say((announced = text));
    }, ANNOUNCE_MS);
  }

  function say(text) {
    if (ui) ui.status.textContent = text;
  }

  // ---- the contract's attributes, painting, clearing -------------------------------------------

  /** The contract's attributes: counts, and `data-rules`, the rule ids of every current finding
   * (page-level ones, which mark no control, included): docs/contract.md, "On the page". */
  function setCounts(result) {
    const c = result ? result.counts : null;
    setAttr(panel, 'data-errors', String(c ? c.errors : 0));
    setAttr(panel, 'data-warnings', String(c ? c.warnings : 0));
    setAttr(panel, 'data-deviations', String(c ? c.deviations : 0));
    setAttr(panel, 'data-rules', result ? [...new Set(result.findings.map((f) => f.rule))].join(' ') : '');
  }

  /** Paints a check result (or an error) for the controls a reader found. */
  let renderTimer = 0;
  let rendered = null; // the state the panel shows (or will show once the timer fires)
  let nextState = null;
  function paint(doc, state) {
    mark(state.controls || {}, state.result ? state.result.findings : []);
    // The marks are the keystroke's feedback; the panel follows right after this task, and a
    // burst of changes renders it once.
    // The same reply again (the page re-rendered, values unchanged): the panel is current, but
    // the page may have moved under it.
    if (panel && panel.isConnected && rendered && rendered.result === state.result && rendered.error === state.error) {
      controlsNow = state.controls || {};
      if (ui) layout.schedule(200);
      return;
    }
    rendered = state;
    nextState = state;
    if (!panel || !panel.isConnected) return render(doc, state);
    // Counts are part of the contract and move with the marks; the list follows.
    setCounts(state.result);
    if (!renderTimer) {
      renderTimer = setTimeout(() => {
        renderTimer = 0;
        if (nextState) render(doc, nextState);
      }, 0);
    }
  }

  /** Removes every mark and the panel (the form is gone). */
  function clear() {
    nextState = null;
    rendered = null;
    listState = null;
    mark({}, []);
    layout.release();
    if (panel) panel.remove();
    panel = null;
    panelRoot = null;
    ui = null;
    g.panelProgress.reset();
  }

  function renderList() {
    if (ui && listState) g.panelList.render(ui.body, panelRoot, listState, shown, optionsLink);
  }

  /** Whether a node is the panel or inside it (its shadow root included): our own UI. */
  function isOwn(node) {
    if (!panel || !node) return false;
    if (node === panel || node === panelRoot || panel.contains(node)) return true;
    return typeof node.getRootNode === 'function' && node.getRootNode() === panelRoot;
  }

  /** The keyboard shortcut: open the panel and move the focus into it; again: collapse it. */
  function focusPanel() {
    if (!panel || !panel.isConnected || !listState) return false;
    if (!ui) build();
    if (!ui.card.hidden && panelRoot.activeElement) {
      collapse(true);
      return true;
    }
    window.focus();
    open(true);
    if (ui.card.hidden) ui.chip.focus();
    return true;
  }

  api.runtime.onMessage.addListener((msg, sender) => {
    if (msg && msg.type === T.focusPanel && sender && sender.id === api.runtime.id && !sender.tab) focusPanel();
    return false;
  });

  g.paint = { paint, clear, isOwn, renderIdle, focusPanel, view: () => g.panelView(panelRoot, ui, shown) };
})();
