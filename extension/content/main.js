// ECA Guard content script, part 4 of 4: finds the page reader, reads the form on every change,
// asks the service worker to check it (the Wasm core cannot run here: Setup's CSP lacks
// 'wasm-unsafe-eval', docs/toolchain.md) and paints the reply.
//
// Latency: input/change/click and DOM mutations schedule one read in a microtask, so a keystroke
// is read, sent and painted within the same frame when the worker answers in time. A snapshot
// identical to the last one sent is not sent again. One check is in flight at a time: what
// changes meanwhile is read again once its reply is painted, so a burst of changes (fast typing,
// a page rewriting itself) costs two checks, not one per change queued in the worker.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  if (g.started) return; // injected twice (extension reload): keep the first
  g.started = true;
  const { dom, paint } = g;
  const { api, TYPES: T, send: sendMessage } = globalThis.ecaGuardProtocol;

  let reader = null; // the active reader, once one detected its page
  let lastSent = ''; // JSON of the last snapshot sent
  let lastReply = null; // the reply to lastSent, once it is here
  let replyRead = null; // the read the awaited reply is painted on (the newest with lastSent's values)
  let lastRead = null; // the last {snapshot, controls, labels}
  let lastReader = null; // the reader that produced lastRead
  let structural = true; // nodes were added or removed since the last full read
  let newRoots = true; // nodes were added since the shadow roots were last looked for
  let inFlight = false; // a check is on its way to the worker
  let queued = null; // null, or {force}: the page changed while a check was in flight
  let scheduled = false;
  let idleTimer = 0;
  let active = false; // panel/marks shown
  let dead = false; // the extension went away under this script
  let latest = null; // the last read, even one that found no control (content/outline.js)

  /** The active reader's id and its last read, for the page outline (content/outline.js). */
  g.current = () => ({ reader: reader && latest ? reader.id : null, read: reader ? latest : null });

  const DISCONNECTED = {
    ok: false,
    error: { kind: 'Disconnected', message: 'ECA Guard was updated or turned off since this page was opened. Reload the page to check it again.' },
  };

  /** One-off message (the fallback when the port cannot be used). */
  function sendOnce(msg) {
    if (!api.runtime || !api.runtime.id) return Promise.resolve(orphaned());
    // "Extension context invalidated": the extension was reloaded or removed under this page.
    return sendMessage(msg).then((r) => (!api.runtime || !api.runtime.id ? orphaned() : r));
  }


  // A long-lived port to the worker: about 0.5 ms faster per message than sendMessage (see
  // background.js). The worker closes it when it stops (idle) or restarts; requests still in
  // flight then go again as one-off messages, and the next request opens a new port.
  let port = null;
  let nextId = 0;
  const waiting = new Map(); // id → {msg, resolve}

  function openPort() {
    const p = api.runtime.connect({ name: 'eca-guard' });
    p.onMessage.addListener((m) => {
      const w = m && waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      w.resolve(m.reply);
    });
    p.onDisconnect.addListener(() => {
      if (port === p) port = null;
      const pending = [...waiting.values()];
      waiting.clear();
      for (const w of pending) sendOnce(w.msg).then(w.resolve);
    });
    return p;
  }

  /** Sends a message to the worker; resolves to its reply, or an error reply. */
  g.send = function send(msg) {
    if (!api.runtime || !api.runtime.id) return Promise.resolve(orphaned());
    return new Promise((resolve) => {
      try {
        if (!port) port = openPort();
        const id = ++nextId;
        waiting.set(id, { msg, resolve });
        port.postMessage({ id, msg });
      } catch (_) {
        // A port already closed under us, or no extension any more.
        port = null;
        for (const [id, w] of waiting) if (w.resolve === resolve) waiting.delete(id);
        sendOnce(msg).then(resolve);
      }
    });
  };

  /** This script outlived its extension: stop watching the page, say so once. */
  function orphaned() {
    dead = true;
    try {
      observer.disconnect();
    } catch (_) {
      // not observing yet
    }
    return DISCONNECTED;
  }

  /**
   * The reader whose page this is. Readers may give `path` (a RegExp, or anything with
   * `test(pathname)`) for the URL of their page: those the URL matches are asked first, so a
   * page known by its URL is not first searched through by other readers' content tests (on a
   * classic page each of those is a pass over every label).
   */
  function pickReader() {
    const byPath = g.readers.filter((r) => r.path && r.path.test(location.pathname));
    for (const r of byPath.length ? [...byPath, ...g.readers.filter((r) => !byPath.includes(r))] : g.readers) {
      try {
        if (r.detect(document)) return r;
      } catch (e) {
        console.warn('ECA Guard: reader', r.id, 'failed to detect:', e);
      }
    }
    return null;
  }

  async function run(force) {
    scheduled = false;
    if (dead) return;
    // Shadow roots come only with added nodes: while none were added, the ones watched are all.
    if (newRoots) watchRoots();
    // While the controls we read last time are still in the page, the page has not changed kind.
    const stillThere = lastRead && Object.values(lastRead.controls).every((h) => h.isConnected);
    if (!reader || (!stillThere && !reader.detect(document))) {
      reader = pickReader();
      if (!reader) {
        if (active) {
          paint.clear();
          active = false;
          lastSent = '';
          lastReply = null;
          lastRead = null;
          g.send({ type: T.clear });
        }
        return;
      }
    }
    // Only values can have changed when no node was added or removed since the last full read:
    // readers that take a hint then skip finding their controls again.
    const hint = !structural && lastRead && lastReader === reader ? lastRead : null;
    let read;
    try {
      read = reader.read(document, hint);
      if (!hint) structural = false;
      lastReader = reader;
    } catch (e) {
      console.warn('ECA Guard: reader', reader.id, 'failed:', e);
      return;
    }
    lastRead = Object.keys(read.controls).length ? read : null;
    latest = read;
    const json = JSON.stringify(read.snapshot);
    if (!force && json === lastSent) {
      // Same values; the host elements may have been re-rendered, so repaint marks cheaply, or
      // let the reply on its way paint on this read. Either way nothing is sent again.
      if (lastReply) show(read, lastReply);
      else replyRead = read;
      return;
    }
    if (inFlight) {
      queued = { force: !!(force || (queued && queued.force)) };
      return;
    }
    lastSent = json;
    lastReply = null;
    replyRead = read;
    inFlight = true;
    let reply;
    try {
      reply = await g.send({ type: T.check, snapshot: read.snapshot });
    } finally {
      inFlight = false;
    }
    if (!reader) {
      queued = null; // the page stopped being one a reader knows meanwhile (cleared)
      return;
    }
    lastReply = reply;
    show(replyRead || read, reply);
    if (queued) {
      const again = queued;
      queued = null;
      run(again.force);
    }
  }

  function show(read, reply) {
    active = true;
    const state = reply && reply.ok ? { result: reply.result, controls: read.controls, labels: read.labels } : { error: (reply && reply.error) || { kind: 'Disconnected', message: 'ECA Guard did not answer.' }, controls: {} };
    paint.paint(document, state);
    observer.takeRecords(); // our own attribute and panel changes are not page changes
  }

  /** Coalesces everything that happens in one task into one read. */
  function schedule() {
    if (scheduled) return;
    if (!reader) {
      // Not on a known page: look again after things settle, not on every mutation.
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => run(false), 150);
      return;
    }
    scheduled = true;
    queueMicrotask(() => run(false));
  }

  // One event reaches a listener on every shadow root along its path, and for a user action the
  // browser runs microtasks between listeners, so `scheduled` alone does not coalesce them.
  let lastEvent = null;
  function onEvent(e) {
    if (e === lastEvent) return;
    lastEvent = e;
    // From a shadow root not watched yet (attached to an element already in the page, which
    // no mutation reports): look for roots again on this run.
    const target = e.composedPath()[0];
    const root = target && target.getRootNode ? target.getRootNode() : null;
    if (root && root !== document && !watched.has(root)) newRoots = true;
    schedule();
  }

  /** Our own nodes outside the panel: the marks' message containers, a fallback <style>. */
  const ours = (n) => {
    const e = n && (n.nodeType === 1 ? n : n.parentElement);
    return !!(e && e.closest && e.closest('[data-eca-guard-own]'));
  };
  function ownMutation(m) {
    if (paint.isOwn(m.target) || ours(m.target)) return true;
    if (m.type === 'attributes' && m.attributeName && m.attributeName.startsWith('data-eca-guard')) return true;
    if (m.type === 'childList' && [...m.addedNodes, ...m.removedNodes].every(ours)) return true;
    return false;
  }

  const observer = new MutationObserver((records) => {
    const page = records.filter((m) => !ownMutation(m));
    if (!page.length) return;
    if (page.some((m) => m.type === 'childList')) {
      structural = true;
      if (page.some((m) => m.addedNodes.length)) newRoots = true;
    }
    schedule();
  });
  const OBSERVE = {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    // Not class/style: Lightning changes them on every hover and focus; values and visibility
    // show up as these attributes or as child-list changes.
    attributeFilter: ['data-value', 'hidden', 'checked', 'value', 'selected', 'aria-selected', 'aria-checked', 'aria-expanded', 'aria-hidden'],
  };

  // Mutations and non-composed events (change) do not cross native shadow boundaries, so we
  // observe and listen on every open shadow root too.
  const watched = new WeakSet();
  function watch(root) {
    if (watched.has(root)) return;
    watched.add(root);
    observer.observe(root, OBSERVE);
    for (const type of ['input', 'change', 'click']) root.addEventListener(type, onEvent, true);
  }
  let roots = [document];
  function watchRoots() {
    newRoots = false;
    // Not the panel's own shadow root: its renders are not page changes (and would loop).
    roots = dom.roots(document).filter((r) => !paint.isOwn(r));
    for (const r of roots) if (r !== document) watch(r);
  }
  /** The document and its open shadow roots as last looked for (content/panel-layout.js looks
   * for the page's controls in them, without walking the page again). */
  g.pageRoots = () => roots;

  watch(document);
  // Lightning navigates in-page (pushState); the DOM mutation covers most of it, and these catch
  // the rest (back/forward, bfcache restores). A first `pageshow` (not from the bfcache) comes
  // after the run below has read the page: nothing to do then.
  addEventListener('popstate', schedule);
  addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    lastSent = ''; // settings may have changed while the page was in the cache
    schedule();
  });

  api.runtime.onMessage.addListener((msg) => {
    if (msg && msg.type === T.recheck) {
      lastSent = '';
      if (reader) run(true);
      else schedule();
    }
    return false;
  });

  run(false);
})();
