// ECA Guard's confirm window for one send (worker/send.js says why it exists). It shows what
// the worker holds, org, app, key prefix and server, never the secret, which stays in the
// worker; only a click on Send here makes the worker seal and post. The worker closes this
// window when the send is done, cancelled or timed out, and the Salesforce page's status line
// says which.
import '../protocol.js';

const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;
const $ = (id) => document.getElementById(id);
const id = location.hash.slice(1);

// The Send button is armed only after the window has been shown and focused this long, so a
// double click on the page's Send button (or a click already on its way where this window
// opens) cannot land on it.
const ARM_MS = 600;
// A message every so often keeps the worker, which holds the secret, from stopping idle while
// the admin reads (Chromium stops an idle service worker after 30 s).
const KEEPALIVE_MS = 15000;


function say(text, bad) {
  $('message').textContent = text;
  $('message').classList.toggle('bad', !!bad);
}

let armTimer = 0;
let answered = false;
function disarm() {
  clearTimeout(armTimer);
  $('confirm').disabled = true;
}
function arm() {
  disarm();
  if (answered || document.visibilityState !== 'visible') return;
  armTimer = setTimeout(() => ($('confirm').disabled = answered), ARM_MS);
}

function row(term, value, note) {
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (note) {
    const n = document.createElement('span');
    n.className = 'label';
    n.textContent = ` ${note}`;
    dd.append(n);
  }
  const dt = document.createElement('dt');
  dt.textContent = term;
  $('details').append(dt, dd);
}

function render(d) {
  row('Server', d.server, d.serverUrl);
  row('Key fingerprint', d.fingerprint);
  row('Org', d.org);
  row('App', d.app, d.label && d.label !== d.app ? `(labelled "${d.label}" on the page)` : '');
  row('Consumer key', d.key);
  row('From page', d.page);
  const tick = () => {
    const left = Math.max(0, Math.ceil((d.expiresAt - Date.now()) / 1000));
    if (!answered) say(`Nothing is sent unless you choose Send (${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left).`);
  };
  tick();
  setInterval(tick, 1000);
}

async function decide(confirm) {
  if (answered) return;
  answered = true;
  disarm();
  $('cancel').disabled = true;
  say(confirm ? 'Sending…' : 'Cancelled.');
  const r = await send({ type: T.confirmDecision, id, confirm });
  // The worker closes the window; these lines show only if it could not.
  if (!r || !r.ok) say((r && r.error && r.error.message) || 'The send failed.', true);
  else say(r.sent ? 'Sent.' : 'Not sent.');
}

async function start() {
  const r = await send({ type: T.confirmDetails, id });
  if (!r || !r.ok) {
    answered = true;
    $('cancel').disabled = true;
    say('This send is no longer waiting (it was answered, cancelled or timed out). Close this window.', true);
    return;
  }
  render(r.details);
  setInterval(() => send({ type: T.confirmDetails, id }), KEEPALIVE_MS);
  $('confirm').addEventListener('click', (e) => {
    if (e.isTrusted && !$('confirm').disabled) decide(true);
  });
  $('cancel').addEventListener('click', () => decide(false));
  addEventListener('blur', disarm);
  addEventListener('focus', arm);
  document.addEventListener('visibilitychange', arm);
  arm();
  document.body.setAttribute('data-ready', '');
}

start();
