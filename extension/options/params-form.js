// The options page's parameter fields, built from what the chosen pack declares (the core's
// `checkOptions` answers with the fields and the problems: src/check/options.rs), and the
// problems shown at the field they are about. The fixed parameters keep their ids
// (`callbackUrls`, `salesforceIdp`, `serverAddresses`); a pack's own choice is `param-<name>`.

const LIST_KINDS = new Set(['urls', 'addresses']);

export const fieldId = (name) => (['callbackUrls', 'salesforceIdp', 'serverAddresses'].includes(name) ? name : `param-${name}`);

const lines = (text) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
  if (text) e.textContent = text;
  return e;
}

const PLACEHOLDER = {
  callbackUrls: 'https://integration.example.com/oauth/callback',
  serverAddresses: '203.0.113.10',
};

/** One field; its current value from `params`; `locked` when the policy fixes it. */
function field(f, params, locked) {
  const id = fieldId(f.name);
  const wrap = el('div', { class: 'field', 'data-param': f.name });
  const help = el('p', { class: 'help', id: `${id}-help` }, f.description + (f.required ? ' Needed for exact checks.' : ''));
  const problems = el('ul', { class: 'problems', id: `${id}-problems`, hidden: true });
  let input;
  if (f.kind === 'bool') {
    input = el('input', { type: 'checkbox', id });
    input.checked = !!params[f.name];
    const label = el('label', { class: 'check' });
    label.append(input, document.createTextNode(` ${f.label}`));
    wrap.append(label);
  } else if (f.kind === 'choice') {
    input = el('select', { id });
    input.append(new Option('— choose —', ''));
    for (const [value, label] of f.values) input.append(new Option(label, value));
    input.value = typeof params[f.name] === 'string' && f.values.some(([v]) => v === params[f.name]) ? params[f.name] : '';
    wrap.append(el('label', { for: id }, f.label));
    wrap.append(input);
  } else {
    input = el('textarea', { id, rows: f.kind === 'urls' ? '3' : '2', spellcheck: 'false', placeholder: PLACEHOLDER[f.name] || '' });
    input.value = (params[f.name] || []).join('\n');
    wrap.append(el('label', { for: id }, `${f.label}, one per line`));
    wrap.append(input);
  }
  input.disabled = locked;
  input.setAttribute('aria-describedby', `${id}-help ${id}-problems`);
  wrap.append(help, problems);
  return wrap;
}

/** Builds the fields of `report.fields` into `container`. */
export function renderFields(container, report, params, managedParams) {
  container.replaceChildren();
  if (!report) return;
  if (!report.fields.length) {
    container.append(el('p', { class: 'help' }, 'This pack takes no parameters.'));
    return;
  }
  for (const f of report.fields) container.append(field(f, params, managedParams.includes(f.name)));
}

/** The parameters in the fields, over `prev` (a parameter this pack does not show keeps its value). */
export function readFields(container, report, prev) {
  const out = { ...prev };
  for (const f of (report && report.fields) || []) {
    const input = container.querySelector(`#${fieldId(f.name)}`);
    if (!input) continue;
    if (f.kind === 'bool') out[f.name] = input.checked;
    else if (LIST_KINDS.has(f.kind)) out[f.name] = lines(input.value);
    else if (input.value) out[f.name] = input.value;
    else delete out[f.name];
  }
  return out;
}

/** Shows each problem at its field (line, message, fix); marks the field invalid on errors. */
export function showProblems(container, problems) {
  for (const list of container.querySelectorAll('.problems')) {
    list.replaceChildren();
    list.hidden = true;
  }
  for (const input of container.querySelectorAll('input, select, textarea')) input.removeAttribute('aria-invalid');
  for (const p of problems) {
    const id = fieldId(p.param);
    const list = container.querySelector(`#${id}-problems`);
    if (!list) continue;
    const item = el('li', { class: p.severity, 'data-severity': p.severity, 'data-line': p.line || undefined });
    item.append(el('strong', {}, p.severity === 'error' ? 'Not saved: ' : 'Note: '), document.createTextNode(`${p.message} `), el('span', { class: 'fix' }, p.fix));
    list.append(item);
    list.hidden = false;
    if (p.severity === 'error') container.querySelector(`#${id}`)?.setAttribute('aria-invalid', 'true');
  }
}
