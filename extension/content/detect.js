// ECA Guard's content script for every frame of every org host (the manifest lists only
// protocol.js and this): it decides cheaply whether this frame shows a page ECA Guard handles,
// and only then has the worker load the rest into it (the readers, the painter, main.js, the
// Send button, the outline: worker/inject.js). Every Setup page pays for this file alone; the
// pages ECA Guard checks pay for the rest once, after their load event (docs/ARCHITECTURE.md,
// "Loading into a page").
//
// It runs at document_start, while the page is parsed, and only registers listeners then: a
// script at document_idle would hold the load event back even if it did nothing
// (docs/toolchain.md, "Extension runtime facts").
// - By address: the pages' paths (docs/salesforce-dom.md §7), tested once the load event is
//   over, so nothing here runs before it; a classic Setup document that shows a consumer secret
//   (the legacy consumer details, wherever Setup puts them) by one look at its text.
// - Lightning navigates in-page (history.pushState): a frame not loaded notices its address
//   changing through the Navigation API's currententrychange (no DOM observer, no timer), or,
//   where the browser lacks it, one look at location.href every POLL_MS while the tab is shown.
// - The popup's page outline (content/outline.js) asks every frame: a frame not loaded that
//   would answer (the top frame, a classic page) loads the rest, then answers.
// Once loaded, main.js watches the page (mutations, navigation) and this script is done.
(() => {
  'use strict';
  const g = (globalThis.ecaGuard = globalThis.ecaGuard || {});
  if (g.detector) return; // injected twice (extension reload): keep the first
  const { api, TYPES: T, send, fromOwnPage } = globalThis.ecaGuardProtocol;

  // The content script's own work in this frame, counted and timed for the bench and the idle
  // tests (tests/e2e/bench-classic.mjs, org-pages.test.mjs); content/perf.js times the rest.
  const perf = (g.perf = { detect: { n: 0, ms: 0 }, read: { n: 0, ms: 0 }, paint: { n: 0, ms: 0 }, idle: { n: 0, ms: 0 } });

  /**
   * Paths of the pages the readers and the Send button handle (their own `path`s, and the ECA
   * Manager's in-page routes: the New form's address is not public, so every route under the
   * Manager but its list, docs/salesforce-dom.md §1). The Lightning pages that only frame a
   * classic one (Session Settings, Network Access, …) are not here: the classic page in their
   * iframe is read in its own frame.
   */
  const PAGES = [
    /^\/lightning\/setup\/ManageExternalClientApplication\/(?!home\/?$)./, // New form, detail, consumer key and secret
    /^\/_ui\/system\/security\/SessionSettings\/?$/, // Session Settings (§4)
    /^\/05G(\/e)?\/?$/, // Network Access: trusted IP ranges (§5)
    /^\/00e[0-9A-Za-z]{12,15}\/?$/, // a profile: its login IP ranges (§5)
    /^\/app\/mgmt\/forceconnectedapps\/forceApp(Edit|Detail)\.apexp$/, // legacy Connected App, its consumer details (§1)
  ];
  const POLL_MS = 500;

  const classicDoc = () => !!document.body && /(^|\s)(sfdcBody|setupTab)(\s|$)/.test(document.body.className);

  /** Whether this frame shows a page ECA Guard handles; counted as a detect run. */
  function handled() {
    const t = performance.now();
    try {
      const path = location.pathname;
      if (PAGES.some((p) => p.test(path))) return true;
      // A classic Setup document with a consumer secret on it (content/credentials.js): its text is
      // a few KB, read once per document.
      return classicDoc() && /consumer secret/i.test(document.body.textContent);
    } finally {
      perf.detect.n++;
      perf.detect.ms += performance.now() - t;
    }
  }

  let loading = null; // the worker's answer to the load, once asked
  /** Has the worker load the rest into this frame; resolves when it ran. */
  function load() {
    if (!loading) {
      stopWatching();
      loading = send({ type: T.loadContent }).then((r) => {
        if (!r.ok && r.error && r.error.kind !== 'Disconnected') console.warn('ECA Guard could not load into this page:', r.error.message);
        return r;
      });
    }
    return loading;
  }

  // ---- noticing in-page navigation, without observing the DOM --------------------------------

  let lastPath = location.pathname;
  let timer = 0;
  function onAddress() {
    if (loading || location.pathname === lastPath) return;
    lastPath = location.pathname;
    if (handled()) load();
  }
  const nav = globalThis.navigation;
  const hasNavigation = !!(nav && typeof nav.addEventListener === 'function' && 'oncurrententrychange' in nav);
  function poll() {
    clearInterval(timer);
    timer = 0;
    if (!loading && document.visibilityState === 'visible') timer = setInterval(onAddress, POLL_MS);
  }
  function watch() {
    if (classicDoc()) return; // classic pages navigate by loading a new document
    addEventListener('popstate', onAddress);
    if (hasNavigation) nav.addEventListener('currententrychange', onAddress);
    else {
      document.addEventListener('visibilitychange', poll);
      poll();
    }
  }
  function stopWatching() {
    removeEventListener('popstate', onAddress);
    if (hasNavigation) nav.removeEventListener('currententrychange', onAddress);
    document.removeEventListener('visibilitychange', poll);
    clearInterval(timer);
    timer = 0;
  }

  // ---- the popup's page outline, in a frame not loaded -----------------------------------------

  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || msg.type !== T.pageOutline || g.outlineListener || !fromOwnPage(sender)) return false;
    // As content/outline.js decides for a frame no reader recognised: the top frame and a
    // classic page answer, other frames (widgets) stay silent.
    const top = !(location.ancestorOrigins && location.ancestorOrigins.length) && window === window.parent;
    if (!top && !(document.body && document.body.classList.contains('sfdcBody'))) return false;
    load().then(() => {
      if (!g.outlineListener || !g.outlineListener(msg, sender, sendResponse)) {
        sendResponse({ ok: false, error: { kind: 'Internal', message: 'ECA Guard could not outline this page.' } });
      }
    });
    return true;
  });

  // ---- start: after the load event, so that nothing here delays it ------------------------------

  function start() {
    if (handled()) load();
    else watch();
  }
  g.detector = { handled, load };
  if (document.readyState === 'complete') setTimeout(start, 0);
  else addEventListener('load', () => setTimeout(start, 0), { once: true });
})();
