// ECA Guard content script, part 3 of 4: paints a check's result on the page (contract, "On
// the page"): the controls' marks (content/marks.js) and one `<eca-guard-panel>` with
// `data-errors`, `data-warnings`, `data-deviations` and `data-rules`. The panel's own DOM lives in a closed
// shadow root, so Setup's CSS cannot reach it, ours cannot leak, and the page's scripts can
// neither read it nor rewrite what it says (e.g. "ready" over errors); docs/server.md, "What is
// protected". Tests read it through `view` below. Its styles are a constructed stylesheet: not
// subject to the page's CSP.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom } = g;

  const { mark, setAttr } = g.marks;

  // ---- the panel ----------------------------------------------------------------------------

  const PANEL_CSS = `
:host { all: initial; position: fixed; right: 16px; bottom: 64px; z-index: 2147483000;
  will-change: transform; contain: layout style;
  font: 13px/1.5 "Salesforce Sans", -apple-system, "Segoe UI", Arial, sans-serif; color: #181818; }
.card { width: 380px; max-height: calc(100vh - 180px); display: flex; flex-direction: column; background: #fff;
  border: 1px solid #c9c9c9; border-radius: .25rem; box-shadow: 0 2px 8px rgba(0,0,0,.18); }
header { display: flex; align-items: center; gap: .5rem; padding: .5rem .75rem; border-bottom: 1px solid #e5e5e5;
  background: #f3f3f3; border-radius: .25rem .25rem 0 0; }
header h2 { margin: 0; font-size: 14px; font-weight: 700; flex: 1; }
header .pack { display: block; font-weight: 400; font-size: 12px; color: #444; }
.counts { display: flex; gap: .25rem; }
.pill { border-radius: 1rem; padding: 0 .5rem; font-size: 12px; font-weight: 700; color: #fff; white-space: nowrap; }
.pill.error { background: #ba0517; } .pill.warning { background: #dd7a01; }
.pill.deviation { background: #0176d3; } .pill.ok { background: #2e844a; }
button.toggle { border: 1px solid #c9c9c9; background: #fff; border-radius: .25rem; cursor: pointer; padding: 0 .5rem; color: #0176d3; }
ol { list-style: none; margin: 0; padding: 0; overflow: auto; }
li { padding: .5rem .75rem; border-bottom: 1px solid #e5e5e5; border-left: 4px solid transparent; cursor: pointer; }
li:hover { background: #f3f9ff; }
li.error { border-left-color: #ba0517; } li.warning { border-left-color: #dd7a01; }
li.deviation { border-left-color: #0176d3; } li.info { border-left-color: #747474; }
.field { font-weight: 700; } .sev { text-transform: uppercase; font-size: 11px; color: #444; margin-right: .25rem; }
.fix { margin-top: .125rem; } .fix b { color: #2e844a; }
a { color: #0176d3; font-size: 12px; }
.note, .msg { padding: .5rem .75rem; color: #444; font-size: 12px; }
.msg.bad { color: #ba0517; }
.collapsed ol, .collapsed .note { display: none; }
/* In a classic page inside Setup's iframe: no docked footer below, and little room. */
:host([data-in-frame]) { bottom: 8px; right: 8px; }
:host([data-in-frame]) .card { max-height: calc(100vh - 24px); }
`;

  let panel = null;
  let panelRoot = null;
  // The panel's parts, built once per panel and then updated in place: a keystroke changes a
  // count or a finding, not the whole card (a rebuild re-styles and re-rasterises all of it).
  let ui = null;
  let shown = { head: null, counts: null, list: null, notes: null, msg: null }; // what each part shows
  let listState = null; // the state the list must show; built when visible or when the page is idle
  let listIdle = 0;
  let controlsNow = {}; // field → host of the latest paint, for clicks on a finding

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }

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
  }
  let framed = false;

  /** The panel's shadow root, styles, card and header. */
  function ensureUi() {
    if (ui) return;
    panelRoot = panel.attachShadow({ mode: 'closed' });
    try {
      const s = new CSSStyleSheet();
      s.replaceSync(PANEL_CSS);
      panelRoot.adoptedStyleSheets = [s];
    } catch (_) {
      panelRoot.append(el('style', {}, PANEL_CSS));
    }
    // Inside a frame start collapsed, since an open panel would cover much of the small iframe
    // (the marks carry the messages); the user's Hide/Show choice then holds for this panel.
    const card = el('section', { class: framed ? 'card collapsed' : 'card', role: 'region', 'aria-label': 'ECA Guard' });
    const toggle = el('button', { class: 'toggle', type: 'button', title: 'Show or hide the findings' }, framed ? 'Show' : 'Hide');
    toggle.addEventListener('click', () => {
      toggle.textContent = card.classList.toggle('collapsed') ? 'Show' : 'Hide';
      if (!card.classList.contains('collapsed')) renderList();
    });
    const title = el('h2', {}, 'ECA Guard');
    const header = el('header', {}, title, toggle);
    card.append(header);
    panelRoot.append(card);
    ui = { card, header, title, toggle, pack: null, counts: null, msg: null, list: null, notes: null };
    shown = { head: null, counts: null, list: null, notes: null, msg: null };
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
  }

  /** Puts `part` (or nothing) in its place in the card: header, msg, list, notes. */
  function place(name, part) {
    const old = ui[name];
    if (old === part) return;
    ui[name] = part;
    if (!part) return old && old.remove();
    if (old) return old.replaceWith(part);
    const order = ['msg', 'list', 'notes'];
    const after = order.slice(order.indexOf(name) + 1).map((n) => ui[n]).find(Boolean);
    ui.card.insertBefore(part, after || null);
  }

  const idle = (fn) => (globalThis.requestIdleCallback ? requestIdleCallback(fn, { timeout: 500 }) : setTimeout(fn, 50));

  /**
   * Renders the panel. `state` is {result, labels, controls} after a check, or {error} when the
   * worker could not check (no pack chosen, bad settings). The counts are set at once; of the
   * UI only parts whose content changed are touched. What is not visible waits until the page
   * is idle: a collapsed panel's findings list, and in a frame (where the panel starts
   * collapsed) the whole first UI, so a classic page's load pays for the marks only.
   */
  function render(doc, state) {
    ensurePanel(doc);
    controlsNow = state.controls || {};
    setCounts(state.result);
    listState = state;
    if (!ui && framed) return later();
    ensureUi();
    renderHead(state);
    if (ui.card.classList.contains('collapsed')) later();
    else renderList();
  }

  /** Builds what is not visible yet when the page is idle (tests and the Show button read it;
   * the Show button builds the list at once if the page never idled). */
  function later() {
    if (!listIdle) listIdle = idle(() => ((listIdle = 0), g.paint.renderIdle()));
  }

  function renderIdle() {
    if (!panel || !panel.isConnected || !listState) return;
    ensureUi();
    renderHead(listState);
    renderList();
  }

  /** A link that opens ECA Guard's options page (where a fix in its own settings is made). */
  function optionsLink() {
    const open = el('a', { href: '#', class: 'options-link' }, "Open ECA Guard's options");
    open.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      g.send && g.send({ type: globalThis.ecaGuardProtocol.TYPES.openOptions });
    });
    return open;
  }

  /** The card's message (error state) and header. */
  function renderHead(state) {
    if (state.error) {
      const key = `${state.error.kind}\n${state.error.message}`;
      if (shown.msg !== key) {
        shown.msg = key;
        const msg = el('div', { class: 'msg bad' }, state.error.message);
        if (state.error.kind === 'NoPack' || state.error.kind === 'UnknownPack') msg.append(' ', optionsLink());
        place('msg', msg);
      }
      setHead(null, null);
      return;
    }
    if (shown.msg !== null) {
      shown.msg = null;
      place('msg', null);
    }
    setHead(state.result.packName, state.result.counts);
  }

  /** The header: pack name and count pills. */
  function setHead(head, c) {
    if (shown.head !== head) {
      shown.head = head;
      if (head === null) {
        if (ui.pack) ui.pack.remove();
        ui.pack = null;
      } else if (ui.pack) {
        ui.pack.textContent = head;
      } else {
        ui.pack = el('span', { class: 'pack' }, head);
        ui.title.append(ui.pack);
      }
    }
    const key = c ? `${c.errors}/${c.warnings}/${c.deviations}` : null;
    if (shown.counts === key) return;
    shown.counts = key;
    let counts = null;
    if (c) {
      counts = el('span', { class: 'counts' });
      if (c.errors) counts.append(el('span', { class: 'pill error' }, plural(c.errors, 'error')));
      if (c.warnings) counts.append(el('span', { class: 'pill warning' }, plural(c.warnings, 'warning')));
      if (c.deviations) counts.append(el('span', { class: 'pill deviation' }, plural(c.deviations, 'deviation')));
      if (!c.errors && !c.warnings) counts.append(el('span', { class: 'pill ok' }, 'ready'));
    }
    if (ui.counts) ui.counts.remove();
    ui.counts = counts;
    if (counts) ui.header.insertBefore(counts, ui.toggle);
  }

  /** The findings list and the notes, for `listState`; unchanged findings keep their element. */
  function renderList() {
    const state = listState;
    if (!state || !ui) return;
    if (state.error) {
      shown.list = shown.notes = null;
      place('list', null);
      place('notes', null);
      return;
    }
    const { result, labels } = state;
    const items = result.findings.map((f) => {
      const label = (f.field && labels && labels[f.field]) || f.field || 'This page';
      return { f, label, key: JSON.stringify([f.severity, f.rule, f.field, label, f.message, f.fix, f.source, f.sourceTitle, !!f.fixInOptions]) };
    });
    const listKey = items.map((i) => i.key).join('\n');
    if (shown.list !== listKey) {
      shown.list = listKey;
      const old = new Map();
      if (ui.list) for (const li of ui.list.children) old.set(li._ecaKey, li);
      const lis = items.map(({ f, label, key }) => {
        const reuse = old.get(key);
        if (reuse) {
          old.delete(key);
          return reuse;
        }
        const src = el('a', { href: f.source, target: '_blank', rel: 'noopener noreferrer' }, f.sourceTitle || f.source);
        const li = el(
          'li',
          { class: f.severity, 'data-rule': f.rule, 'data-field': f.field || '' },
          el('div', {}, el('span', { class: 'sev' }, f.severity), el('span', { class: 'field' }, label)),
          el('div', {}, f.message),
          el('div', { class: 'fix' }, el('b', {}, 'Fix: '), f.fix, ...(f.fixInOptions ? [' ', optionsLink()] : [])),
          el('div', {}, 'Source: ', src)
        );
        li._ecaKey = key;
        return li;
      });
      if (!ui.list) {
        const list = el('ol');
        list.addEventListener('click', onFindingClick);
        place('list', list);
      }
      ui.list.replaceChildren(...lis);
    }
    const notes = result.notes || [];
    const notesKey = notes.join('\n');
    if (shown.notes !== notesKey) {
      shown.notes = notesKey;
      place('notes', notes.length ? el('div', { class: 'note' }, ...notes.map((n) => el('div', {}, '• ' + n))) : null);
    }
  }

  /** A click on a finding (not its source link) scrolls to its control and focuses it. */
  function onFindingClick(e) {
    if (e.target.closest('a')) return;
    const li = e.target.closest('li');
    const host = li && controlsNow[li.getAttribute('data-field')];
    if (host && host.isConnected) {
      host.scrollIntoView({ block: 'center', behavior: 'smooth' });
      const input = dom.within(host, 'input, textarea, [role="combobox"], [role="option"]');
      if (input) input.focus({ preventScroll: true });
    }
  }

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
    // The same reply again (the page re-rendered, values unchanged): the panel is current.
    if (panel && panel.isConnected && rendered && rendered.result === state.result && rendered.error === state.error) {
      controlsNow = state.controls || {};
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
    if (panel) panel.remove();
    panel = null;
    panelRoot = null;
    ui = null;
  }

  /** Whether a node is the panel or inside it (its shadow root included): our own UI. */
  function isOwn(node) {
    if (!panel || !node) return false;
    if (node === panel || node === panelRoot || panel.contains(node)) return true;
    return typeof node.getRootNode === 'function' && node.getRootNode() === panelRoot;
  }

  /**
   * What the panel shows: the rules of its findings and its text, or null before its UI is
   * built. The browser tests read it from this content script's world through CDP
   * (tests/e2e/harness.mjs panelView); the page cannot, as the shadow root is closed.
   */
  function view() {
    if (!panelRoot) return null;
    const text = [...panelRoot.childNodes].filter((n) => n.localName !== 'style').map((n) => n.textContent).join(' ');
    return { items: [...panelRoot.querySelectorAll('li')].map((li) => li.dataset.rule), text };
  }

  // renderIdle: the UI that waited for an idle page (called through here so content/perf.js
  // counts it).
  g.paint = { paint, clear, isOwn, renderIdle, view };
})();
