// Options page section "Paired server": paste a pairing code from `eca-guard-server pair`,
// pair, see which server (name, address, key fingerprint, its pack and callback URLs), apply
// them to the checks, or forget the pairing. The worker does the work (worker/pairing.js);
// nothing here sees a consumer secret.
import '../protocol.js';
import { pairingCore } from '../worker/crypto.js';

const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;


function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

const section = el('section', { id: 'pairing' });
const status = el('p', { id: 'pairing-status', role: 'status' });
const details = el('dl', { id: 'pairing-details' });
const code = el('textarea', { id: 'pairing-code', rows: '2', spellcheck: 'false', placeholder: 'ecag1.…' });
const pairBtn = el('button', { type: 'button', id: 'pair', class: 'brand' }, 'Pair');
const applyBtn = el('button', { type: 'button', id: 'pairing-apply' }, "Use this server's integration and callback URLs");
const forgetBtn = el('button', { type: 'button', id: 'unpair' }, 'Forget this server');
const error = el('p', { id: 'pairing-error', class: 'error', role: 'alert' });
error.hidden = true;
section.append(
  el('h2', {}, 'Paired server'),
  el(
    'p',
    { class: 'help' },
    'ECA Guard can send a new consumer key and secret straight to the integration\'s eca-guard-server, end-to-end encrypted. ' +
      'On the server, run "eca-guard-server pair" and paste the code here.'
  ),
  status,
  details,
  el('label', { for: 'pairing-code' }, 'Pairing code'),
  code,
  el('div', { class: 'row' }),
  error
);
section.querySelector('.row').append(pairBtn, applyBtn, forgetBtn);

let current = { paired: false };

function render(p) {
  current = p || { paired: false };
  applyBtn.hidden = forgetBtn.hidden = !current.paired;
  details.replaceChildren();
  if (!current.paired) {
    status.textContent = 'Not paired.';
    return;
  }
  status.textContent = `Paired with ${current.name}.`;
  const rows = [
    ['Server', current.server],
    ['Key fingerprint', current.fingerprint],
    ['This browser', current.browserId],
    ['Integration', current.pack || '—'],
    ['Callback URLs', (current.callbackUrls || []).join('\n') || '—'],
  ];
  for (const [k, v] of rows) details.append(el('dt', {}, k), el('dd', {}, v));
}

function fail(msg) {
  error.hidden = !msg;
  error.textContent = msg || '';
}

// The pairing module decodes the code here, in the click: the browser grants the host permission
// only within the click's own task, so it must not wait for anything first.
let crypto = null;
pairingCore().then((c) => (crypto = c), () => {});

pairBtn.addEventListener('click', async () => {
  fail('');
  const text = code.value.trim();
  let start;
  try {
    start = (crypto || (await pairingCore())).pairingBegin(text);
  } catch (e) {
    return fail((e && e.message) || 'This is not an ECA Guard pairing code; copy it again from the server.');
  }
  pairBtn.disabled = true;
  try {
    // Ask for access to the server now, inside the click (browsers require a user gesture).
    // The server also answers the extension's own origin, so pairing goes on either way.
    try {
      if (api.permissions && api.permissions.request) await api.permissions.request({ origins: [start.originPattern] });
    } catch (_) {
      /* declined or not grantable: go on */
    }
    const r = await send({ type: T.pair, code: text });
    if (!r.ok) return fail(r.error.message);
    code.value = '';
    render(r);
  } finally {
    pairBtn.disabled = false;
  }
});

forgetBtn.addEventListener('click', async () => {
  const r = await send({ type: T.unpair });
  if (r.ok) render(r);
});

applyBtn.addEventListener('click', async () => {
  if (!current.paired) return;
  const l = await api.storage.local.get('ecaGuard');
  const s = l.ecaGuard && typeof l.ecaGuard === 'object' ? l.ecaGuard : {};
  const next = { ...s, params: { ...(s.params || {}) } };
  if (current.pack) next.pack = current.pack;
  if ((current.callbackUrls || []).length) next.params.callbackUrls = current.callbackUrls;
  await api.storage.local.set({ ecaGuard: next });
  location.reload(); // the sections above read the settings at load
});

function mount() {
  const footer = document.querySelector('main > footer');
  if (footer) footer.before(section);
  else (document.querySelector('main') || document.body).append(section);
  send({ type: T.pairingStatus }).then((r) => render(r.ok ? r : null));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
