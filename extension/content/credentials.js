// ECA Guard content script: "Send to <server>" on the page that shows a Consumer Key and a
// Consumer Secret (ECA detail after identity verification, legacy Connected App consumer
// details). Classic script, isolated world.
//
// Rules (docs/server.md, "What is protected"): the secret is read from the page only inside a
// trusted click (`event.isTrusted`), goes straight to the service worker in one message, and
// is never stored, logged, put on the clipboard or written back into the page by us. Our UI
// lives in a closed shadow root: page scripts cannot read it or reach inside, and a synthetic
// click from the page is ignored. But its host element is in the page's DOM, so the page can
// restyle it to catch a real click meant for something else: the click therefore only starts
// a send, which the admin confirms in ECA Guard's own window (worker/send.js). The org and the
// app's record are decided by the worker from this frame's URL (worker/app-id.js).
(() => {
  'use strict';
  const g = (globalThis.ecaGuard = globalThis.ecaGuard || {});
  if (g.credentialsStarted) return;
  g.credentialsStarted = true;
  const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;

  const KEY_LABEL = /^\s*consumer key\s*:?\s*$/i;
  const SECRET_LABEL = /^\s*consumer secret\s*:?\s*$/i;
  // A consumer key or secret: one run of printable ASCII without spaces.
  const VALUE = /^[\x21-\x7e]{12,512}$/;
  const NOT_VALUES = /^(consumer (key|secret)|copy|show|hide|reveal|click to reveal)$/i;

  // Why a delivery into the server's Vault waits (the receipt's delivery.problem, one per code
  // of server/src/vault/error.rs PROBLEMS): our own words; the server retries in each case.
  const VAULT_WAITS = {
    unreachable: 'the server cannot reach Vault',
    timeout: 'Vault did not answer in time',
    permission_denied: 'Vault refused the write (permission denied: check the policy; the server\'s log names the path)',
    login_failed: 'the server could not log in to Vault (see its log)',
    credentials_file: 'the server cannot read its Vault token or secret id file',
    unavailable: 'Vault is sealed or unavailable',
    refused: 'Vault refused the write (see the server\'s log)',
    bad_answer: 'Vault\'s answer was not understood (see the server\'s log)',
    conflict: 'other servers kept writing this record',
    unreadable: 'the server cannot open its sealed copy (see its log)',
  };

  /** The receipt's delivery into Vault, as the end of the status line ('' without one). */
  function vaultText(d) {
    if (!d) return '';
    if (d.state === 'delivered') return ` Delivered to Vault (version ${d.version}).`;
    if (d.state === 'superseded') return ' Not written to Vault: it already holds a newer credential for this app.';
    if (d.state === 'pending') return ` Stored, delivery to Vault pending: ${VAULT_WAITS[d.problem] || 'queued'}; the server retries.`;
    return '';
  }

  // One-off messages (the protocol's send), not main.js's port: a port that drops re-sends what
  // was waiting on it, and a message that holds a secret must never be sent twice.

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

  // Which app: the worker takes the record id from this frame's address, else this API Name
  // (worker/app-id.js, same shapes). The label below is only ever shown, as text.
  const API_NAME_LABEL = /^\s*api name\s*:?\s*$/i;
  const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

  /**
   * The API Name the page shows: the first text after its label, if that has an API name's
   * shape; otherwise undefined. Never a later text: on these pages the consumer secret comes a
   * few cells on, and it has an API name's shape too.
   */
  function apiName() {
    const l = findLabel(API_NAME_LABEL);
    let box = l && l.parentElement;
    for (let depth = 0; depth < 3 && box && box !== document.body; depth++, box = box.parentElement) {
      for (const t of texts(box)) {
        if (l.contains(t) || !(l.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        const v = t.nodeValue.trim();
        if (v) return API_NAME.test(v) ? v : undefined;
      }
    }
    return undefined;
  }

  /** The app's label for our own status line: the page header, the title, or the ECA id from the address. */
  function appName() {
    const generic = /^(setup|external client app manager|external client apps?|app manager|connected apps?|home|salesforce)$/i;
    // A classic title is `h1.pageType` "Connected App" + a colon span, then
    // `h2.pageDescription` with the app's name: the page type is no name (docs/salesforce-dom.md,
    // "What the base components' JavaScript renders").
    const sel = '.slds-page-header__title, .pageDescription, h1:not(.pageType)';
    for (const el of document.querySelectorAll(sel)) {
      const t = el.textContent.replace(/\s+/g, ' ').replace(/\s*:$/, '').trim();
      if (t && t.length <= 255 && !generic.test(t)) return t;
    }
    const title = document.title.split(/ [|~] /)[0].replace(/\s+/g, ' ').trim();
    if (title && !generic.test(title)) return title.slice(0, 255);
    const id = location.pathname.match(/\/(0xI[0-9A-Za-z]{12,15})\//);
    return id ? id[1] : '';
  }

  let host = null; // <eca-guard-send>
  let ui = null; // {button, status, live, …}
  let serverName = null;

  // "Is the app live?" after a send: the consumer key only (never the secret), retried every
  // 30 s while Salesforce says it does not know the key yet, for up to 10 minutes.
  const ACTIVATION_MS = 10 * 60 * 1000;
  const RETRY_MS = 30 * 1000;
  let probeKey = null;
  let probeStart = 0;
  let probeTimer = 0;
  let tick = 0;

  function liveLine(kind, text) {
    ui.live.hidden = false;
    ui.liveText.className = kind;
    ui.liveText.textContent = text;
  }

  async function checkLive() {
    clearTimeout(probeTimer);
    clearInterval(tick);
    liveLine('', 'Checking whether the app is live…');
    const r = await send({ type: T.probeApp, consumerKey: probeKey });
    if (!r || !r.ok) return liveLine('err', (r && r.error && r.error.message) || 'The app could not be checked.');
    host.dataset.live = r.status;
    if (r.status === 'live') return liveLine('ok', r.message);
    if (r.status !== 'not-active-yet') return liveLine(r.status === 'unknown' ? 'wait' : 'err', r.message);
    const left = () => Math.max(0, probeStart + ACTIVATION_MS - Date.now());
    if (left() === 0) {
      return liveLine('err', 'Salesforce still does not know this consumer key after 10 minutes: check that the key was copied from this org\'s app, and that the app was saved.');
    }
    const next = Date.now() + RETRY_MS;
    const render = () => {
      const l = left();
      const mm = Math.floor(l / 60000);
      const ss = String(Math.floor((l % 60000) / 1000)).padStart(2, '0');
      liveLine('wait', `${r.message} Up to ${mm}:${ss} left; next check in ${Math.max(0, Math.ceil((next - Date.now()) / 1000))} s.`);
    };
    render();
    tick = setInterval(render, 1000);
    probeTimer = setTimeout(checkLive, RETRY_MS);
  }

  /** The integration's next steps, from its pack (the worker gets them from the core: a command
   * in them only for shape-checked values, and shown as text, never as HTML). */
  function guide(steps) {
    if (!steps || !Array.isArray(steps.steps) || !steps.steps.length) return;
    ui.guide.hidden = false;
    const title = document.createElement('b');
    title.textContent = String(steps.title || '');
    const ol = document.createElement('ol');
    for (const s of steps.steps) {
      const li = document.createElement('li');
      li.textContent = String(s.text || '');
      if (typeof s.command === 'string') {
        const code = document.createElement('code');
        code.setAttribute('part', 'command');
        code.textContent = s.command;
        li.append(document.createElement('br'), code);
      }
      ol.append(li);
    }
    ui.guide.replaceChildren(title, ol);
  }

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
        [part=live] { margin-top: 6px; } [part=live] button { margin-left: 8px; padding: 2px 8px; }
        [part=guide] { margin-top: 6px; padding: 6px 10px; border-left: 3px solid #0176d3; background: #f3f9ff; }
        [part=guide] ol { margin: 4px 0 0 18px; padding: 0; }
        [part=command] { font: 12px/1.4 ui-monospace, monospace; user-select: all; }
        .ok { color: #2e844a; } .err { color: #ba0517; } .wait { color: #8c4b02; }
      </style>
      <button type="button" part="send"></button><span part="status" role="status"></span>
      <div part="live" role="status" hidden><span></span><button type="button" part="recheck">Check again</button></div>
      <div part="guide" hidden></div>`;
    ui = {
      button: root.querySelector('button'),
      status: root.querySelector('[part=status]'),
      live: root.querySelector('[part=live]'),
      liveText: root.querySelector('[part=live] span'),
      recheck: root.querySelector('[part=recheck]'),
      guide: root.querySelector('[part=guide]'),
    };
    ui.button.addEventListener('click', onClick, true);
    ui.recheck.addEventListener(
      'click',
      (ev) => {
        if (ev.isTrusted && probeKey) checkLive();
      },
      true
    );
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
      send({ type: T.openOptions });
      return;
    }
    const read = readPair();
    if (!read) {
      show('err', 'The consumer key and secret are not both visible on this page; reveal them first.');
      return;
    }
    ui.button.disabled = true;
    // The worker asks the admin in a window of its own before anything is sent (worker/send.js):
    // this click may have been steered onto the button by the page.
    show('', 'Confirm the send in ECA Guard\'s window…');
    const label = appName();
    const reply = await send({ type: T.sendCredentials, apiName: apiName(), label, ...read });
    read.consumerSecret = ''; // drop our only reference to it
    ui.button.disabled = false;
    if (reply && reply.ok) {
      const r = reply.receipt;
      const what = r.unchanged ? 'already stored (unchanged)' : r.version > 1 ? `stored as version ${r.version}` : 'stored';
      const named = label && label !== r.app ? ` ("${label}")` : '';
      show('ok', `Sent to ${r.server}: ${r.org} / ${r.app}${named}, key ${r.keyPrefix}, ${what}.${vaultText(r.delivery)}`);
      host.dataset.sent = r.unchanged ? 'unchanged' : String(r.version);
      if (r.delivery) host.dataset.delivery = r.delivery.state;
      guide(reply.afterSend);
      probeKey = read.consumerKey; // the key only; the secret is not kept
      probeStart = Date.now();
      checkLive();
    } else if (reply && reply.error && reply.error.kind === 'Disconnected') {
      // The worker held the secret in memory only; it stopped (or the extension was updated).
      show('err', 'Not sent: ECA Guard stopped before the send was confirmed. Click Send again.');
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
    const r = await send({ type: T.pairingStatus });
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

  // Not on Visualforce domains: code there is the org's own, and could fake a key and secret.
  if (!document.body || /\.(vf\.force\.com|visualforce\.com)(\.mcas\.ms)?$/i.test(location.hostname)) return;
  refreshServer();
  // The worker says when the pairing changed; the pairing itself is kept where content scripts
  // cannot read it (worker/pairing-store.js).
  api.runtime.onMessage.addListener((msg) => {
    if (msg && msg.type === T.pairingChanged) refreshServer();
    return false;
  });
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  schedule();
})();
