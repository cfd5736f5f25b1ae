// ECA Guard content script: "Send to <server>" on the page that shows a Consumer Key and a
// Consumer Secret (ECA detail after identity verification, legacy Connected App consumer
// details). Classic script, isolated world.
//
// Rules (issue 5): the secret is read from the page only inside a trusted click
// (`event.isTrusted`), goes straight to the service worker in one message, and is never
// stored, logged, put on the clipboard or written back into the page by us. Our UI lives in a
// closed shadow root: page scripts cannot read or restyle it, and a synthetic click from the
// page is ignored. The org is decided by the worker from this frame's URL, not sent from here.
(() => {
  'use strict';
  const g = (globalThis.ecaGuard = globalThis.ecaGuard || {});
  if (g.credentialsStarted) return;
  g.credentialsStarted = true;
  const api = globalThis.browser || globalThis.chrome;

  const KEY_LABEL = /^\s*consumer key\s*:?\s*$/i;
  const SECRET_LABEL = /^\s*consumer secret\s*:?\s*$/i;
  // A consumer key or secret: one run of printable ASCII without spaces.
  const VALUE = /^[\x21-\x7e]{12,512}$/;
  const NOT_VALUES = /^(consumer (key|secret)|copy|show|hide|reveal|click to reveal)$/i;

  function send(msg) {
    try {
      return Promise.resolve(api.runtime.sendMessage(msg)).catch((e) => ({
        ok: false,
        error: { kind: 'Disconnected', message: String((e && e.message) || e) },
      }));
    } catch (e) {
      return Promise.resolve({ ok: false, error: { kind: 'Disconnected', message: String(e.message || e) } });
    }
  }

  /** Every text node under `root`, open shadow roots included, in document order. */
  function* texts(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (n.nodeType === Node.TEXT_NODE) yield n;
      else if (n.shadowRoot && n.localName !== 'eca-guard-send') yield* texts(n.shadowRoot);
    }
  }

  function findLabel(re) {
    for (const t of texts(document.body)) {
      if (re.test(t.nodeValue)) return t.parentElement;
    }
    // Classic pages put labels in <th>/<td class="labelCol"> as the whole cell text.
    for (const el of document.querySelectorAll('th, td.labelCol, label, dt')) {
      if (re.test(el.textContent)) return el;
    }
    return null;
  }

  /** The value that goes with a label: the first key-like text or field after it, nearby. */
  function valueNear(label) {
    let box = label;
    for (let depth = 0; depth < 4 && box && box !== document.body; depth++, box = box.parentElement) {
      const seen = [];
      for (const el of box.querySelectorAll('input, textarea')) {
        if (label.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) seen.push(el.value);
      }
      for (const t of texts(box)) {
        if (label.contains(t) || !(label.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        seen.push(t.nodeValue);
      }
      const v = seen.map((s) => (s || '').trim()).find((s) => VALUE.test(s) && !NOT_VALUES.test(s));
      if (v) return { value: v, box };
    }
    return null;
  }

  /** The key and secret as the page shows them now (only called inside a trusted click). */
  function readPair() {
    const kl = findLabel(KEY_LABEL);
    const sl = findLabel(SECRET_LABEL);
    const k = kl && valueNear(kl);
    const s = sl && valueNear(sl);
    if (!k || !s || k.value === s.value) return null;
    return { consumerKey: k.value, consumerSecret: s.value };
  }

  /** The app's name: the page header, the title, or the ECA id from the address. */
  function appName() {
    const generic = /^(setup|external client app manager|external client apps?|app manager|connected apps?|home|salesforce)$/i;
    const sel = '.slds-page-header__title, h1, .pageDescription, .pageType + .pageDescription';
    for (const el of document.querySelectorAll(sel)) {
      const t = el.textContent.replace(/\s+/g, ' ').trim();
      if (t && t.length <= 255 && !generic.test(t)) return t;
    }
    const title = document.title.split('|')[0].replace(/\s+/g, ' ').trim();
    if (title && !generic.test(title)) return title.slice(0, 255);
    const id = location.pathname.match(/\/(0xI[0-9A-Za-z]{12,15})\//);
    return id ? id[1] : 'unnamed app';
  }

  let host = null; // <eca-guard-send>
  let ui = null; // {button, status}
  let serverName = null;

  function build() {
    host = document.createElement('eca-guard-send');
    const root = host.attachShadow({ mode: 'closed' });
    root.innerHTML = `
      <style>
        :host { all: initial; display: block; margin: 8px 0; font: 13px/1.4 system-ui, sans-serif; }
        button { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid #0176d3;
                 background: #0176d3; color: #fff; cursor: pointer; }
        button[disabled] { opacity: .6; cursor: default; }
        [part=status] { margin-left: 8px; }
        .ok { color: #2e844a; } .err { color: #ba0517; }
      </style>
      <button type="button" part="send"></button><span part="status" role="status"></span>`;
    ui = { button: root.querySelector('button'), status: root.querySelector('[part=status]') };
    ui.button.addEventListener('click', onClick, true);
    label();
  }

  function label() {
    if (ui) ui.button.textContent = serverName ? `Send to ${serverName}` : 'Send to a paired server…';
  }

  function show(kind, text) {
    ui.status.className = kind;
    ui.status.textContent = text;
  }

  async function onClick(ev) {
    // A page script can dispatch clicks; only the admin's own click sends.
    if (!ev.isTrusted) return;
    ev.preventDefault();
    ev.stopPropagation();
    if (!serverName) {
      show('err', 'Pair ECA Guard with a server first (ECA Guard options).');
      send({ type: 'openOptions' });
      return;
    }
    const read = readPair();
    if (!read) {
      show('err', 'The consumer key and secret are not both visible on this page; reveal them first.');
      return;
    }
    ui.button.disabled = true;
    show('', 'Sending…');
    const reply = await send({ type: 'sendCredentials', app: appName(), ...read });
    ui.button.disabled = false;
    if (reply && reply.ok) {
      const r = reply.receipt;
      const what = r.unchanged ? 'already stored (unchanged)' : r.version > 1 ? `stored as version ${r.version}` : 'stored';
      show('ok', `Sent to ${r.server}: ${r.org} / ${r.app}, key ${r.keyPrefix}, ${what}.`);
    } else {
      show('err', (reply && reply.error && reply.error.message) || 'Sending failed.');
    }
  }

  /** Places the button after the secret's field when a key and a secret are on the page. */
  function place() {
    const sl = findLabel(SECRET_LABEL);
    const kl = sl && findLabel(KEY_LABEL);
    const near = kl && valueNear(sl);
    if (!near) {
      if (host && host.isConnected) host.remove();
      return;
    }
    if (!host) build();
    if (!host.isConnected || host.previousElementSibling !== near.box) near.box.after(host);
  }

  async function refreshServer() {
    const r = await send({ type: 'pairingStatus' });
    serverName = r && r.ok && r.paired ? r.name : null;
    label();
  }

  let timer = 0;
  function schedule() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = 0;
      // Cheap test first: most pages never mention a consumer secret.
      if (!host && !/consumer secret/i.test(document.body ? document.body.textContent : '')) return;
      place();
    }, 200);
  }

  if (!document.body) return;
  refreshServer();
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && 'ecaGuardPairing' in changes) refreshServer();
  });
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  schedule();
})();
