// Options page: pick the rule pack and its parameters, add custom packs; stores the contract's
// `ecaGuard` object in chrome.storage.local. The Wasm core is loaded here (worker/core.js; extension
// pages allow 'wasm-unsafe-eval') to list packs and validate custom ones before they are kept.
import { ready } from '../worker/core.js';

import '../protocol.js';

const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;
const KEY = 'ecaGuard';
const $ = (id) => document.getElementById(id);

const state = { pack: '', params: { callbackUrls: [], salesforceIdp: false, serverAddresses: [] }, customPacks: [] };
let packs = [];
let core = null; // the Wasm core (worker/core.js), once loaded
let managed = { pack: false, params: [], customPacks: [] };
let policyPacks = []; // custom packs the policy adds (listed, not stored here)

const lines = (text) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function show(el, text) {
  el.hidden = !text;
  el.textContent = text || '';
}

function renderPacks() {
  packs = core.listPacks([...policyPacks, ...state.customPacks]);
  const select = $('pack');
  select.replaceChildren(new Option('— choose —', ''));
  for (const p of packs) {
    const custom = state.customPacks.some((c) => c.id === p.id);
    select.append(new Option(`${p.name}${custom ? ' (custom)' : ''}`, p.id));
  }
  select.value = packs.some((p) => p.id === state.pack) ? state.pack : '';
  renderPackInfo();
  const list = $('custom-list');
  list.replaceChildren(
    ...state.customPacks.map((p) => {
      const li = document.createElement('li');
      li.textContent = `${p.name} (${p.id})`;
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.textContent = 'Remove';
      rm.disabled = managed.customPacks.includes(p.id);
      rm.addEventListener('click', () => {
        state.customPacks = state.customPacks.filter((c) => c.id !== p.id);
        if (state.pack === p.id) state.pack = '';
        renderPacks();
        dirty();
      });
      li.append(rm);
      return li;
    })
  );
}

function renderPackInfo() {
  const p = packs.find((x) => x.id === $('pack').value);
  $('pack-description').textContent = (p && p.description) || '';
  for (const field of document.querySelectorAll('[data-param]')) {
    const spec = p && p.params && p.params[field.dataset.param];
    field.classList.toggle('unused', !!p && !spec);
    field.querySelector('[data-help]').textContent = spec
      ? spec.description + (spec.required ? ' (needed for exact callback checks)' : '')
      : p
        ? 'Not used by this pack.'
        : '';
  }
}

function fill() {
  $('callbackUrls').value = state.params.callbackUrls.join('\n');
  $('salesforceIdp').checked = !!state.params.salesforceIdp;
  $('serverAddresses').value = state.params.serverAddresses.join('\n');
  renderPacks();
  // What the enterprise policy fixes cannot be changed here.
  $('pack').disabled = managed.pack;
  for (const p of ['callbackUrls', 'salesforceIdp', 'serverAddresses']) $(p).disabled = managed.params.includes(p);
  const fixed = [managed.pack && 'the rule pack', ...managed.params, managed.customPacks.length && 'some custom packs'].filter(Boolean);
  show($('policy'), fixed.length ? `Your organization's policy sets ${fixed.join(', ')}; those fields cannot be changed here.` : '');
}

function dirty() {
  $('status').textContent = 'Not saved yet.';
}

async function save() {
  state.pack = $('pack').value;
  state.params = {
    callbackUrls: lines($('callbackUrls').value),
    salesforceIdp: $('salesforceIdp').checked,
    serverAddresses: lines($('serverAddresses').value),
  };
  // Only the user's own choices are stored; policy values stay in managed storage.
  const { [KEY]: stored } = await api.storage.local.get(KEY);
  const next = { ...(stored || {}), pack: state.pack, params: state.params, customPacks: state.customPacks };
  if (managed.pack) next.pack = (stored && stored.pack) || '';
  await api.storage.local.set({ [KEY]: next });
  $('status').textContent = 'Saved. Open Setup pages are checked again.';
}

/** Validates a pack's JSON with the core; keeps the text in the box when it is refused. */
function addPack(text) {
  show($('pack-error'), '');
  let pack;
  try {
    pack = core.parsePack(text);
  } catch (e) {
    // EcaGuardError kinds PackSyntax / PackInvalid carry the line in their message.
    show($('pack-error'), `This pack was not added: ${e.message}`);
    $('pack-error').dataset.kind = e.kind || '';
    return false;
  }
  const others = state.customPacks.filter((p) => p.id !== pack.id);
  try {
    core.listPacks([...policyPacks, ...others, pack]); // refuses an id that shadows a built-in pack
  } catch (e) {
    show($('pack-error'), `This pack was not added: ${e.message}`);
    $('pack-error').dataset.kind = e.kind || '';
    return false;
  }
  state.customPacks = [...others, pack];
  $('pack-json').value = '';
  renderPacks();
  $('pack').value = pack.id;
  renderPackInfo();
  dirty();
  return true;
}

async function load() {
  core = await ready;
  const { [KEY]: stored } = await api.storage.local.get(KEY);
  const s = stored || {};
  state.pack = typeof s.pack === 'string' ? s.pack : '';
  state.params = {
    callbackUrls: Array.isArray(s.params?.callbackUrls) ? s.params.callbackUrls : [],
    salesforceIdp: !!s.params?.salesforceIdp,
    serverAddresses: Array.isArray(s.params?.serverAddresses) ? s.params.serverAddresses : [],
  };
  state.customPacks = Array.isArray(s.customPacks) ? s.customPacks : [];
  // The worker knows what the policy fixes (managed storage, merged key by key).
  const reply = await send({ type: T.getSettings });
  if (reply && reply.ok) {
    managed = reply.managed;
    if (managed.pack) state.pack = reply.config.pack;
    for (const p of managed.params) state.params[p] = reply.config.params[p];
    policyPacks = reply.config.customPacks.filter((p) => managed.customPacks.includes(p.id));
    state.customPacks = state.customPacks.filter((p) => !managed.customPacks.includes(p.id));
  }
  fill();
}

$('pack').addEventListener('change', () => {
  renderPackInfo();
  dirty();
});
for (const id of ['callbackUrls', 'salesforceIdp', 'serverAddresses']) $(id).addEventListener('input', dirty);
$('add-pack').addEventListener('click', () => addPack($('pack-json').value));
$('pack-file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const text = await file.text();
  $('pack-json').value = text;
  addPack(text);
  e.target.value = '';
});
$('save').addEventListener('click', () => save().catch((e) => ($('status').textContent = `Not saved: ${e.message}`)));

load().then(
  () => document.documentElement.setAttribute('data-ready', ''),
  (e) => show($('pack-error'), `ECA Guard could not start: ${e.message}`)
);
