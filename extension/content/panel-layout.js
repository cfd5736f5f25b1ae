// ECA Guard content script, before paint.js: where the page panel sits, so that it never covers
// Setup's own controls (docs/contract.md, "On the page").
//
// The panel is open (a card of findings) or collapsed (a small chip with the counts), and docked
// to the left or the right edge; both are the user's choice, kept across page loads by the worker
// (worker/panel.js; a content script cannot read chrome.storage.local on Chromium). Until the
// user chooses, it is docked left, open on a top-level page and collapsed in a frame (a classic
// page in Setup's iframe has little room).
//
// Never over a control: before the panel is shown, and again after a resize, a scroll or a change
// of the page, the page's controls under the place it would take are looked for (buttons, fields,
// labels, lists, links, frames: `CONTROLS`, in the document and its open shadow roots, each
// confirmed by a hit test there, so hidden and covered ones do not count). Then:
// - open: the page makes room for the card, a margin on its root element on the docked side, and
//   the card takes the tallest stretch of that column that no control reaches. An open card
//   restored from the preference shows as the chip instead (`placed: 'chip'`, `noRoom`, said in
//   the chip's title) where the page cannot narrow that much (its content is wider than what is
//   left, so it would scroll sideways) or where even then no stretch of the column is free (a
//   layout of fixed boxes ignores the margin). A click on the chip, the shortcut or Dock opens it
//   anyway: in its column if the page then scrolls sideways (docked left, the card moves with that
//   scroll, as a column of the page would), else over the page (`placed: 'overlay'`, said in the
//   card), until Escape or Hide.
// - collapsed: the chip stays where it is while it covers nothing, else goes to a free corner of
//   its edge (the bottom one first), else to the lowest free stretch of the edge.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom } = g;
  const { TYPES: T } = globalThis.ecaGuardProtocol;

  const GAP = 8; // between the panel and the window's edge, and between the panel and a control
  const MIN_CARD = 160; // an open card shorter than this (or than the window) is not worth it
  const DOCKS = ['right', 'left'];
  /** What counts as one of the page's controls (labels too: a click on one works its control;
   * and frames, which hold a page of their own). */
  const CONTROLS = [
    'a[href]', 'button', 'input:not([type=hidden])', 'select', 'textarea', 'label', 'summary', 'iframe',
    '[contenteditable=""]', '[contenteditable="true"]', '[tabindex]:not([tabindex="-1"])',
    ...['button', 'link', 'checkbox', 'radio', 'switch', 'combobox', 'listbox', 'option', 'tab', 'menuitem', 'textbox', 'slider', 'spinbutton'].map((r) => `[role="${r}"]`),
  ].join(', ');

  // ---- the preference ----------------------------------------------------------------------

  let prefs = null; // {open?: boolean, dock?: 'right'|'left'}, once the worker answered
  let asked = null;

  /** The user's choice, asked from the worker once per page. */
  function loadPrefs() {
    if (!asked) {
      asked = Promise.resolve(g.send ? g.send({ type: T.panelPrefs }) : null).then(
        (r) => (prefs = r && r.ok && r.prefs ? r.prefs : {}),
        () => (prefs = {})
      );
    }
    return asked;
  }

  function savePrefs(change) {
    prefs = { ...(prefs || {}), ...change };
    if (g.send) g.send({ type: T.panelPrefs, prefs: change });
  }

  // ---- measuring the page --------------------------------------------------------------------

  /** The visible viewport, scrollbars excluded (a classic page may be in quirks mode). */
  function viewport() {
    const el = document.compatMode === 'BackCompat' && document.body ? document.body : document.documentElement;
    return { w: el.clientWidth || innerWidth, h: el.clientHeight || innerHeight };
  }

  /** The card's width for a viewport this wide. */
  function cardWidth(vw) {
    return Math.max(240, Math.min(340, Math.round(vw * 0.25), vw - 2 * GAP));
  }

  /** Whether `el` is what shows at (x, y): not hidden, not covered (our panel aside). */
  function shownAt(el, x, y) {
    const root = el.getRootNode();
    const scope = typeof root.elementsFromPoint === 'function' ? root : document;
    for (const hit of scope.elementsFromPoint(x, y)) {
      if (hit === state.host) continue;
      return hit === el || el.contains(hit);
    }
    return false;
  }

  /** The vertical stretches [top, bottom] of the strip x0..x1 that no shown control reaches. */
  function freeBands(x0, x1, top, bottom) {
    const blocked = [];
    const roots = g.pageRoots ? g.pageRoots() : dom.roots(document);
    for (const el of roots.flatMap((r) => [...r.querySelectorAll(CONTROLS)])) {
      if (g.paint && g.paint.isOwn(el)) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || r.right <= x0 || r.left >= x1 || r.bottom <= top || r.top >= bottom) continue;
      if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true })) continue;
      const t = Math.max(r.top, top);
      const b = Math.min(r.bottom, bottom);
      if (!shownAt(el, (Math.max(r.left, x0) + Math.min(r.right, x1)) / 2, (t + b) / 2)) continue;
      blocked.push([t - GAP, b + GAP]);
    }
    blocked.sort((a, b) => a[0] - b[0]);
    const free = [];
    let y = top;
    for (const [t, b] of blocked) {
      if (t > y) free.push([y, t]);
      y = Math.max(y, b);
    }
    if (bottom > y) free.push([y, bottom]);
    return free;
  }

  // ---- making room: a margin on the page's root, on the docked side ---------------------------

  let reserveSheet = null;
  let reserveStyle = null;
  let reserved = '';

  function setReserve(side, px) {
    const css = side ? `html:root { margin-${side}: ${px}px !important; }` : '';
    if (css === reserved) return;
    reserved = css;
    if (!reserveSheet && !reserveStyle) {
      try {
        reserveSheet = new CSSStyleSheet();
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, reserveSheet];
      } catch (_) {
        // Firefox content scripts cannot always adopt into the page: a <style> of ours.
        reserveSheet = null;
        reserveStyle = document.createElement('style');
        reserveStyle.setAttribute('data-eca-guard-own', '');
        (document.head || document.documentElement).appendChild(reserveStyle);
      }
    }
    if (reserveSheet) reserveSheet.replaceSync(css);
    else {
      if (!reserveStyle.isConnected) (document.head || document.documentElement).appendChild(reserveStyle);
      reserveStyle.textContent = css;
    }
  }

  // ---- placing the panel ---------------------------------------------------------------------

  /**
   * The panel being placed (paint.js gives it): `host`, `apply(geometry)` to show it as
   * {shape: 'card'|'chip', left, top, width?, maxHeight?, overlay?}, `chipSize()` and `open`
   * (what the user wants), `explicit` (the last open was a click or the shortcut).
   */
  const state = { host: null, apply: null, chipSize: null, open: false, explicit: false, placed: null, noRoom: false, rect: null, seq: 0, pending: false };
  let chipTop = null; // the chip's place, kept while it covers nothing

  /** The docked edge: the user's, else the left. Content that cannot narrow overflows to the
   * right in a left-to-right page, so the room made on the left stays free (until the page is
   * scrolled sideways). */
  function dock() {
    return prefs && DOCKS.includes(prefs.dock) ? prefs.dock : 'left';
  }

  /** How wide the page is without the room (plus a pixel), measured while no room is made, or
   * for a new window width: taking the room away and back for it would move the page each time
   * it is placed (and a page scrolled to its end would scroll, and be placed again). */
  let wide = null;
  function pageWidth(vp) {
    if (reserved && wide && wide.vw === vp.w) return wide.px;
    setReserve(null);
    const root = document.documentElement;
    wide = { vw: vp.w, px: Math.max(root.scrollWidth, root.clientWidth) + 1 };
    return wide.px;
  }

  /** Where the card fits beside the page, or null. Docked left in the room made for it, the
   * card moves with the page when it is scrolled sideways, as a column of the page would: the
   * page's content never slides under it. */
  function placeCard(vp) {
    const w = cardWidth(vp.w);
    const side = dock();
    const need = Math.min(MIN_CARD, vp.h - 2 * GAP);
    const tallest = (bands) => bands.reduce((best, b) => (!best || b[1] - b[0] > best[1] - best[0] ? b : best), null);
    // The room must not make the page scroll sideways, unless the user opened the panel (a
    // click, the shortcut).
    const root = document.documentElement;
    const fits = pageWidth(vp);
    setReserve(side, w + 2 * GAP);
    if (state.explicit || root.scrollWidth <= fits) {
      const slide = side === 'left';
      const x0 = side === 'right' ? vp.w - GAP - w : GAP - scrollX;
      const x1 = Math.min(x0 + w, vp.w);
      if (x1 <= 0) return { shape: 'card', left: x0, top: GAP, width: w, maxHeight: vp.h - 2 * GAP, slide }; // scrolled out of sight, with its column
      const band = tallest(freeBands(Math.max(0, x0), x1, GAP, vp.h - GAP));
      if (band && band[1] - band[0] >= need) return { shape: 'card', left: x0, top: Math.round(band[0]), width: w, maxHeight: Math.floor(band[1] - band[0]), slide };
    }
    setReserve(null);
    return null;
  }

  function placeChip(vp) {
    const { w, h } = state.chipSize();
    const x0 = dock() === 'right' ? vp.w - GAP - w : GAP;
    const bottom = vp.h - GAP;
    const bands = freeBands(x0, x0 + w, GAP, bottom).filter((b) => b[1] - b[0] >= h);
    const keep = chipTop !== null && bands.some((b) => chipTop >= b[0] && chipTop + h <= b[1]);
    // A corner first: the bottom one, else the top one; else the lowest free stretch.
    const last = bands[bands.length - 1];
    let top;
    if (keep) top = chipTop;
    else if (last && last[1] >= bottom) top = bottom - h;
    else if (bands.length && bands[0][0] <= GAP) top = GAP;
    else top = last ? last[1] - h : bottom - h;
    top = Math.round(Math.max(GAP, top));
    chipTop = top;
    return { shape: 'chip', left: x0, top, crowded: !bands.length };
  }

  let shownGeo = null; // the geometry applied last
  let ownScroll = false; // the next scroll event is ours

  /** Places the panel now. */
  function place() {
    state.pending = false;
    if (!state.host || !state.host.isConnected || !state.apply) return;
    // Trying the room on and off may move the page's scroll position (a margin makes it wider):
    // where the room ends as it was, the position is put back.
    const before = { reserved, x: scrollX, y: scrollY };
    const vp = viewport();
    let geo = null;
    state.noRoom = false;
    if (state.open) {
      geo = placeCard(vp);
      if (!geo && state.explicit) {
        const w = cardWidth(vp.w);
        geo = { shape: 'card', left: dock() === 'right' ? vp.w - GAP - w : GAP, top: GAP, width: w, maxHeight: vp.h - 2 * GAP, overlay: true };
      }
      if (!geo) state.noRoom = true;
    } else {
      setReserve(null);
    }
    if (!geo) {
      state.apply({ shape: 'chip', left: -10000, top: 0 }); // shown, to be measured
      geo = placeChip(vp);
    } else {
      chipTop = null;
    }
    state.apply(geo);
    shownGeo = geo;
    if (reserved === before.reserved && (scrollX !== before.x || scrollY !== before.y)) {
      ownScroll = true; // not a reason to place the panel again
      scrollTo(before.x, before.y);
    }
    state.placed = geo.shape === 'chip' ? 'chip' : geo.overlay ? 'overlay' : 'beside';
    const r = state.host.getBoundingClientRect();
    state.rect = { x: r.left, y: r.top, w: r.width, h: r.height };
    state.seq++;
  }

  let timer = 0;
  /** Places the panel again after things settle (a burst of scroll or page changes: once). */
  function schedule(ms = 120) {
    state.pending = true;
    clearTimeout(timer);
    timer = setTimeout(place, ms);
  }

  let watching = false;
  function watch() {
    if (watching) return;
    watching = true;
    addEventListener('resize', () => schedule(), { passive: true });
    // Any scroller of the page (capture: scroll does not bubble). A card docked left moves with
    // the page's sideways scroll at once; everything is measured again once the scroll stops.
    let sx = scrollX;
    document.addEventListener(
      'scroll',
      () => {
        if (!state.host) return;
        if (shownGeo && shownGeo.slide && scrollX !== sx) state.apply({ ...shownGeo, left: GAP - scrollX });
        sx = scrollX;
        if (ownScroll) ownScroll = false;
        else schedule();
      },
      { capture: true, passive: true }
    );
  }

  /** Takes charge of a panel: `panel` as `state` describes. */
  function attach(panel) {
    Object.assign(state, panel, { placed: null, rect: null });
    chipTop = null;
    watch();
  }

  /** The panel is gone: the page gets its room back. */
  function release() {
    clearTimeout(timer);
    shownGeo = null;
    wide = null;
    state.host = null;
    state.apply = null;
    state.pending = false;
    state.placed = null;
    setReserve(null);
  }

  /** Open or collapse; `explicit`: the user asked (a click, Escape, the shortcut), so it is kept. */
  function setOpen(open, explicit) {
    state.open = open;
    state.explicit = !!(open && explicit);
    if (explicit) savePrefs({ open });
    place();
  }

  /** Docks to `side`: the user's choice, as explicit as opening it. */
  function setDock(side) {
    if (!DOCKS.includes(side)) return;
    savePrefs({ dock: side });
    state.explicit = state.open;
    chipTop = null;
    place();
  }

  /** What the tests read (paint.js `view`). */
  function view() {
    return { open: state.open, dock: dock(), placed: state.placed, noRoom: state.noRoom, rect: state.rect, seq: state.seq, settled: !state.pending, reserved };
  }

  g.panelLayout = { loadPrefs, prefs: () => prefs, attach, release, place, schedule, setOpen, setDock, dock, view, state };
})();
