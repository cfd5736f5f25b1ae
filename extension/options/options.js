// Options page: pick the rule pack and the parameters it declares, add custom packs; stores the
// contract's `ecaGuard` object in chrome.storage.local (docs/contract.md, "Configuration"). The
// on-demand Wasm module is loaded here (worker/on-demand.js; extension pages allow
// 'wasm-unsafe-eval') to list packs, build the pack's fields and check the values with the rules
// the Setup form is checked by (`checkOptions`), so the options never hold a value the form then
// refuses.
//
// Two saves, each next to what it saves: "Save integration" (pack and parameters) and the custom
// pack list (saved as soon as a pack is added or removed, without touching unsaved edits above).
import { onDemand } from '../worker/on-demand.js';
import { readFields, renderFields, showProblems } from './params-form.js';

import '../protocol.js';

const { api, TYPES: T, send } = globalThis.ecaGuardProtocol;
const KEY = 'ecaGuard';
const $ = (id) => document.getElementById(id);

let core = null; // the on-demand Wasm module (worker/on-demand.js), once loaded
let packs = [];
let managed = { pack: false, params: [], customPacks: [] };
let policyPacks = []; // custom packs the policy adds (listed, not stored here)
let customPacks = []; // the user's own, as stored
let saved = { pack: '', params: {} }; // the integration as stored
let params = {}; // the form's parameters, including those the chosen pack does not show
let report = null; // the core's fields and problems for the form's values

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function show(el, text) {
  el.hidden = !text;
  el.textContent = text || '';
}

const allPacks = () => [...policyPacks, ...customPacks];
const chosen = () => $('pack').value;
const packOf = (id) => packs.find((p) => p.id === id);

async function storedSettings() {
  const { [KEY]: s } = await api.storage.local.get(KEY);
  return s && typeof s === 'object' ? s : {};
}

/** The core's report for the form's values (fields to show, problems); null without a pack. */
function evaluate() {
  if (!chosen()) return null;
  try {
    return core.checkOptions({ pack: chosen(), params, customPacks: allPacks() });
  } catch (e) {
    return { fields: [], problems: [], error: e.message };
  }
}

function renderPackSelect() {
  packs = core.listPacks(allPacks());
  const select = $('pack');
  const keep = select.value || saved.pack;
  select.replaceChildren(new Option('— choose —', ''));
  for (const p of packs) {
    const custom = allPacks().some((c) => c.id === p.id);
    select.append(new Option(`${p.name}${custom ? ' (custom)' : ''}`, p.id));
  }
  select.value = packOf(keep) ? keep : '';
}

function renderPackInfo() {
  const p = packOf(chosen());
  $('pack-description').textContent = (p && p.description) || (p ? '' : 'Choose the integration this org’s External Client App is for.');
  const meta = p ? [p.vendor && `By ${p.vendor}`, p.covers && `covers ${p.covers}`, p.checked && `checked against its sources on ${p.checked}`] : [];
  $('pack-meta').textContent = meta.filter(Boolean).join('; ');
  $('pack-sources').replaceChildren(
    ...((p && p.sources) || []).map((s) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = /^https:\/\//.test(s.url) ? s.url : '#';
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = s.title;
      li.append(a);
      return li;
    })
  );
}

/** Rebuilds the fields for the chosen pack (on load and when the pack changes). */
function renderParams() {
  report = evaluate();
  renderFields($('params'), report, params, managed.params);
  renderProblems();
}

function renderProblems() {
  showProblems($('params'), (report && report.problems) || []);
  if (report && report.error) show($('status'), `ECA Guard cannot check these settings: ${report.error}`);
}

const integration = () => ({ pack: chosen(), params });
/** JSON with sorted keys, so the same settings always compare equal. */
const canonical = (v) =>
  JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));
const isDirty = () => canonical(integration()) !== canonical(saved);

function updateStatus(text) {
  $('status').textContent = text ?? (isDirty() ? 'Unsaved changes.' : '');
  // Nothing to save when the policy fixes the pack and every field the pack shows.
  const fields = (report && report.fields) || [];
  $('save').disabled = managed.pack && fields.every((f) => managed.params.includes(f.name));
}

/** A field changed: read the form, check it again, show what is wrong. */
function edited() {
  params = readFields($('params'), report, params);
  report = evaluate();
  renderProblems();
  updateStatus();
}

async function saveIntegration() {
  params = readFields($('params'), report, params);
  report = evaluate();
  renderProblems();
  const errors = ((report && report.problems) || []).filter((p) => p.severity === 'error');
  if (errors.length) {
    updateStatus(`Not saved: ${plural(errors.length, 'problem')} to correct first (marked above).`);
    $('params').querySelector('[aria-invalid="true"]')?.focus();
    return;
  }
  const stored = await storedSettings();
  // Only the user's own choices are stored; what the policy fixes stays in managed storage.
  const next = { ...stored, pack: managed.pack ? stored.pack || '' : chosen(), params: { ...params } };
  for (const p of managed.params) if (stored.params && p in stored.params) next.params[p] = stored.params[p];
  await api.storage.local.set({ [KEY]: next });
  saved = JSON.parse(JSON.stringify(integration()));
  const p = packOf(chosen());
  const notes = ((report && report.problems) || []).length;
  const what = [
    p ? p.name : 'no integration',
    params.callbackUrls?.length && plural(params.callbackUrls.length, 'callback URL'),
    params.serverAddresses?.length && plural(params.serverAddresses.length, 'server address'),
  ].filter(Boolean);
  updateStatus(`Saved: ${what.join(', ')}${notes ? ` (${plural(notes, 'note')} above)` : ''}. Open Setup pages are checked again.`);
}

/** Writes the custom pack list (and, when it removed the stored pack, that choice) at once. */
async function saveCustomPacks(extra = {}) {
  const stored = await storedSettings();
  await api.storage.local.set({ [KEY]: { ...stored, ...extra, customPacks } });
}

function renderCustomList() {
  $('custom-list').replaceChildren(
    ...customPacks.map((p) => {
      const li = document.createElement('li');
      li.textContent = `${p.name} (${p.id})`;
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.textContent = 'Remove';
      rm.setAttribute('aria-label', `Remove the pack ${p.name}`);
      rm.disabled = managed.customPacks.includes(p.id);
      rm.addEventListener('click', () => removePack(p).catch((e) => show($('custom-status'), `Not removed: ${e.message}`)));
      li.append(rm);
      return li;
    })
  );
}

async function removePack(pack) {
  const before = customPacks;
  customPacks = customPacks.filter((c) => c.id !== pack.id);
  const wasSaved = saved.pack === pack.id;
  await saveCustomPacks(wasSaved ? { pack: '' } : {});
  if (wasSaved) saved = { ...saved, pack: '' };
  renderPackSelect();
  renderPackInfo();
  renderParams();
  renderCustomList();
  const status = $('custom-status');
  status.replaceChildren(
    document.createTextNode(
      `Removed the pack “${pack.name}” (${pack.id}).${wasSaved ? ' It was the chosen integration, so no integration is chosen now.' : ''} `
    )
  );
  const undo = document.createElement('button');
  undo.type = 'button';
  undo.textContent = 'Undo';
  undo.addEventListener('click', async () => {
    customPacks = before;
    await saveCustomPacks(wasSaved ? { pack: pack.id } : {});
    if (wasSaved) saved = { ...saved, pack: pack.id };
    renderPackSelect();
    if (wasSaved) $('pack').value = pack.id;
    renderPackInfo();
    renderParams();
    renderCustomList();
    show(status, `Restored the pack “${pack.name}”.`);
    updateStatus();
  });
  status.append(undo);
  status.hidden = false;
  updateStatus();
}

/** Validates a pack's JSON with the core; keeps the text in the box when it is refused. */
async function addPack(text) {
  show($('pack-error'), '');
  show($('custom-status'), '');
  let pack;
  try {
    pack = core.parsePack(text);
    core.listPacks([...policyPacks, ...customPacks.filter((p) => p.id !== pack.id), pack]); // refuses a built-in id
  } catch (e) {
    // EcaGuardError kinds PackSyntax / PackInvalid carry the line in their message.
    show($('pack-error'), `This pack was not added: ${e.message}`);
    $('pack-error').dataset.kind = e.kind || '';
    return;
  }
  const replaced = customPacks.some((p) => p.id === pack.id);
  customPacks = [...customPacks.filter((p) => p.id !== pack.id), pack];
  await saveCustomPacks();
  $('pack-json').value = '';
  renderPackSelect();
  renderCustomList();
  if (!managed.pack) $('pack').value = pack.id;
  renderPackInfo();
  renderParams();
  show(
    $('custom-status'),
    `${replaced ? 'Replaced' : 'Added'} the pack “${pack.name}” (${pack.id}) and saved the pack list.${managed.pack ? '' : ' It is selected above: choose “Save integration” to use it.'}`
  );
  updateStatus();
}

async function load() {
  core = await onDemand();
  const s = await storedSettings();
  customPacks = Array.isArray(s.customPacks) ? s.customPacks : [];
  saved = { pack: typeof s.pack === 'string' ? s.pack : '', params: s.params && typeof s.params === 'object' ? { ...s.params } : {} };
  // The worker knows what the policy fixes (managed storage, merged key by key).
  const reply = await send({ type: T.getSettings });
  if (reply && reply.ok) {
    managed = reply.managed;
    if (managed.pack) saved.pack = reply.config.pack;
    for (const p of managed.params) saved.params[p] = reply.config.params[p];
    policyPacks = reply.config.customPacks.filter((p) => managed.customPacks.includes(p.id));
    customPacks = customPacks.filter((p) => !managed.customPacks.includes(p.id));
  }
  params = { ...saved.params };
  renderPackSelect();
  $('pack').disabled = managed.pack;
  renderPackInfo();
  renderParams();
  renderCustomList();
  // What the enterprise policy fixes cannot be changed here.
  const fixed = [managed.pack && 'the rule pack', ...managed.params, managed.customPacks.length && 'some custom packs'].filter(Boolean);
  show($('policy'), fixed.length ? `Your organization's policy sets ${fixed.join(', ')}; those fields cannot be changed here.` : '');
  updateStatus();
}

$('pack').addEventListener('change', () => {
  params = readFields($('params'), report, params);
  renderPackInfo();
  renderParams();
  updateStatus();
});
$('params').addEventListener('input', edited);
$('params').addEventListener('change', edited);
$('add-pack').addEventListener('click', () => addPack($('pack-json').value).catch((e) => show($('pack-error'), `This pack was not added: ${e.message}`)));
$('pack-file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const text = await file.text();
  $('pack-json').value = text;
  await addPack(text);
  e.target.value = '';
});
$('save').addEventListener('click', () => saveIntegration().catch((e) => updateStatus(`Not saved: ${e.message}`)));
// The paired server's pack and callback URLs fill the form (pairing.js); saving stays the admin's.
document.addEventListener('eca-guard-use-server', (e) => {
  const { pack, callbackUrls } = e.detail || {};
  if (pack && packOf(pack) && !managed.pack) $('pack').value = pack;
  params = readFields($('params'), report, params);
  if (Array.isArray(callbackUrls) && callbackUrls.length && !managed.params.includes('callbackUrls')) params.callbackUrls = callbackUrls;
  renderPackInfo();
  renderParams();
  updateStatus("Filled in from the paired server: check the values, then choose “Save integration”.");
});
window.addEventListener('beforeunload', (e) => {
  if (!isDirty()) return;
  e.preventDefault();
  e.returnValue = ''; // the browser shows its own "leave site?" prompt
});

load().then(
  () => document.documentElement.setAttribute('data-ready', ''),
  (e) => show($('pack-error'), `ECA Guard could not start: ${e.message}`)
);
