// Options page section "Paired server": paste a pairing code from `eca-guard-server pair`,
// pair, see which server (name, address, key fingerprint, its pack and callback URLs), fill
// them into the integration form, or forget the pairing. The worker does the work (worker/pairing.js);
// nothing here sees a consumer secret.
import '../protocol.js';
import { onDemand } from '../worker/on-demand.js';

const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;


function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

const section = el('section', { id: 'pairing', 'aria-labelledby': 'pairing-title' });
const status = el('p', { id: 'pairing-status', role: 'status' });
const details = el('dl', { id: 'pairing-details' });
const code = el('textarea', { id: 'pairing-code', rows: '2', spellcheck: 'false', placeholder: 'ecag1.…' });
const pairBtn = el('button', { type: 'button', id: 'pair', class: 'brand' }, 'Pair');
const applyBtn = el('button', { type: 'button', id: 'pairing-apply' }, "Fill in this server's integration and callback URLs");
const forgetBtn = el('button', { type: 'button', id: 'unpair' }, 'Forget this server');
const error = el('p', { id: 'pairing-error', class: 'error', role: 'alert' });
error.hidden = true;
section.append(
  el('h2', { id: 'pairing-title' }, 'Paired server'),
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
  for (const [k, v] of rows) {
    const dd = el('dd', {}, v);
    if (k === 'Key fingerprint' || k === 'This browser') dd.className = 'mono';
    details.append(el('dt', {}, k), dd);
  }
}

function fail(msg) {
  error.hidden = !msg;
  error.textContent = msg || '';
}

// The on-demand module decodes the code here, in the click: the browser grants the host permission
// only within the click's own task, so it must not wait for anything first.
let loaded = null;
onDemand().then((c) => (loaded = c), () => {});

pairBtn.addEventListener('click', async () => {
  fail('');
  const text = code.value.trim();
  let start;
  try {
    start = (loaded || (await onDemand())).pairingBegin(text);
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

// The server's pack and callback URLs go into the form above (options.js), which the admin then
// saves: nothing is stored behind unsaved edits, and the page is not reloaded.
applyBtn.addEventListener('click', () => {
  if (!current.paired) return;
  document.dispatchEvent(new CustomEvent('eca-guard-use-server', { detail: { pack: current.pack, callbackUrls: current.callbackUrls || [] } }));
});

function mount() {
  const custom = document.getElementById('custom');
  if (custom) custom.before(section);
  else (document.querySelector('main') || document.body).append(section);
  send({ type: T.pairingStatus }).then((r) => render(r.ok ? r : null));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
