// Shared by the readers of Lightning (LWC) Setup pages (new-eca.js, eca-detail.js): finding a
// control by the label Setup shows in any language with sourced labels (content/labels.js),
// reading it in each shape the base components render (docs/salesforce-dom.md, "What the base
// components' JavaScript renders"), finding what does not depend on language when no label
// is known ("structural"), and the state of collapsible sections.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, labels: L } = g;

  const LABEL_SEL =
    'label, span.slds-form-element__label, span[part="label"], legend, [part="dual-listbox"] > div:first-child, .slds-form-element__legend, dt';
  /** Base-component hosts, and SLDS read-only form elements (view mode). */
  const HOST_SEL = `${dom.HOSTS}, .slds-form-element`;
  const MAX_LABEL = 200;

  /** One pass over the page's labels: key → [{host, text}] (a label belongs to its nearest host). */
  function labelIndex(doc) {
    const map = new Map();
    for (const el of dom.queryAll(doc, LABEL_SEL)) {
      const text = dom.text(el).replace(/\s*[:：]$/, '');
      const k = L.key(text);
      if (!k || k.length > MAX_LABEL) continue;
      const host = dom.closestDeep(el, HOST_SEL);
      if (!host) continue;
      if (!map.has(k)) map.set(k, []);
      map.get(k).push({ host, text });
    }
    return map;
  }

  /** The first host labelled as `field` in the page's languages that `ok(host)` accepts. */
  function byLabel(index, field, lang, ok = () => true) {
    for (const l of L.of('fields', field, lang)) {
      const hit = (index.get(L.key(l)) || []).find((h) => ok(h.host));
      if (hit) return hit;
    }
    return null;
  }

  /** Every host labelled as `field` (under the first of its labels that has any) that `ok` accepts. */
  function allByLabel(index, field, lang, ok = () => true) {
    for (const l of L.of('fields', field, lang)) {
      const hits = (index.get(L.key(l)) || []).filter((h) => ok(h.host));
      if (hits.length) return hits;
    }
    return [];
  }

  /**
   * One hit per field of `cands` (field → hits). A label on one control is that control. A label
   * on several (a look-alike a page script built, a copy elsewhere on the page) is the one that
   * sits with the controls whose labels are unique, i.e. in the form itself: the deepest common
   * ancestors with them, summed. A tie, or no unique label to go by, keeps the first in page order.
   */
  function pickInForm(cands) {
    const anchors = Object.values(cands).filter((hits) => hits.length === 1).map((hits) => hits[0].host);
    const out = {};
    for (const [field, hits] of Object.entries(cands)) {
      if (!hits.length) continue;
      out[field] = hits[0];
      if (hits.length === 1 || !anchors.length) continue;
      let best = -1;
      for (const h of hits) {
        const depth = new Map();
        const chain = [];
        for (let n = h.host; n; n = dom.parentOf(n)) chain.push(n);
        chain.reverse().forEach((n, i) => depth.set(n, i));
        let score = 0;
        for (const a of anchors) {
          let n = a;
          while (n && !depth.has(n)) n = dom.parentOf(n);
          score += n ? depth.get(n) : 0;
        }
        if (score > best) [best, out[field]] = [score, h];
      }
    }
    return out;
  }

  /** The text a host shows as its label (for messages and structural hits). */
  function labelOf(host) {
    const el = dom.within(host, 'span[part="label"], label, .slds-form-element__label, [part="dual-listbox"] > div:first-child');
    return el ? dom.text(el).replace(/\s*[:：]$/, '').slice(0, MAX_LABEL) : '';
  }

  // ---- values, in every shape --------------------------------------------------------------

  /** The read-only value element of a view-mode form element. */
  const staticOf = (host) => dom.within(host, '.slds-form-element__static, dd');

  /**
   * A boolean: a checkbox (edit mode, or disabled), the read-only checkbox's icon
   * (`utility:check` / `utility:steps`, whatever the language of its True/False title), a classic
   * checkbox image (by file name), else a True/False text in a sourced language.
   */
  function readBool(host) {
    const input = dom.within(host, 'input[type="checkbox"]');
    if (input) return { value: !!input.checked };
    const icon = dom.within(host, 'lightning-icon[icon-name], [icon-name]');
    const name = icon && icon.getAttribute('icon-name');
    if (name === 'utility:check') return { value: true };
    if (name === 'utility:steps') return { value: false };
    const img = dom.within(host, 'img.checkImg, img[src*="checkbox_"]');
    const src = img ? img.getAttribute('src') || '' : '';
    if (/checkbox_checked/i.test(src)) return { value: true };
    if (/checkbox_unchecked/i.test(src)) return { value: false };
    const shownEl = icon || img || staticOf(host);
    if (!shownEl) return { reason: 'label found, but no value next to it' };
    const shown = icon || img ? shownEl.getAttribute('title') || shownEl.getAttribute('alt') || shownEl.getAttribute('alternative-text') || '' : dom.text(shownEl);
    const v = L.boolText(shown);
    if (v !== undefined) return { value: v };
    return { reason: `shows "${dom.norm(shown).slice(0, 60)}", which is neither on nor off` };
  }

  function readText(host) {
    const input = dom.within(host, 'textarea, input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"]):not([type="file"])');
    if (input) return { value: String(input.value) };
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    return { value: dom.lines(st).join('\n') };
  }

  /**
   * A choice: what is shown is a label (a combobox button's `data-value` is the selected
   * option's label, not its API value: docs/salesforce-dom.md), mapped to its metadata value
   * with the label data; a label no language knows goes as shown (the core says it does not
   * recognise it).
   */
  function readChoice(field, host) {
    const map = (shown) => (shown ? { value: L.choiceValue(field, shown) || dom.norm(shown).slice(0, 200) } : { reason: 'nothing selected' });
    const select = dom.within(host, 'select');
    if (select) {
      const opt = select.selectedOptions && select.selectedOptions[0];
      if (!opt) return { reason: 'nothing selected' };
      return { value: L.choiceValue(field, opt.textContent) || opt.value || dom.norm(opt.textContent) };
    }
    const ctl = dom.within(host, '[role="combobox"]');
    if (ctl) return map(ctl.getAttribute('data-value') || (ctl.tagName === 'INPUT' ? ctl.value : dom.text(ctl)));
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    return map(dom.text(st));
  }

  /** Splits "Full access (full), Perform requests at any time (refresh_token, offline_access)"
   * at the commas outside parentheses (a detail page may show the scopes on one line). */
  function splitList(line) {
    const out = [];
    let depth = 0;
    let cur = '';
    for (const ch of line) {
      if (ch === '(' || ch === '（') depth++;
      if (ch === ')' || ch === '）') depth = Math.max(0, depth - 1);
      if ((ch === ',' || ch === '、') && depth === 0) {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    out.push(cur);
    return out.map((s) => dom.norm(s)).filter(Boolean);
  }

  function optionText(opt) {
    const t = dom.within(opt, 'span.slds-truncate[title]');
    return dom.norm((t && t.getAttribute('title')) || dom.text(opt));
  }

  /** A list: the Selected column of a dual listbox, or the lines of a read-only value. */
  function readList(host) {
    if (host.matches('lightning-dual-listbox')) {
      const list = dom.within(host, 'ul[data-selected-list], [data-selected-list]');
      if (!list) return { reason: 'list found, but not its "Selected" column' };
      return { value: dom.withinAll(list, '[role="option"]').map(optionText).filter(Boolean) };
    }
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    return { value: dom.lines(st).flatMap(splitList) };
  }

  /**
   * The certificate of the JWT bearer flow: the chosen file's name, else a certificate file name
   * shown in or next to the upload (an uploaded one; INFERENCE, docs/salesforce-dom.md "Labels
   * by language"), else ''.
   */
  function readFile(host) {
    const input = dom.within(host, 'input[type="file"]');
    if (input && input.files && input.files.length) return { value: String(input.files[0].name).slice(0, 200) };
    const near = input && host.parentElement ? host.parentElement : host;
    const shown = dom.lines(near).find((l) => /\.(crt|pem|cer|der)$/i.test(l));
    if (shown) return { value: shown.slice(0, 200) };
    if (input) return { value: '' };
    return readText(host);
  }

  // ---- structure: what does not depend on language -----------------------------------------

  /** A scope option ends with parenthesised protocol names, which Setup never translates. */
  const SCOPE_TEXT = /\((?:[a-z_]+)(?:,\s*[a-z_]+)*\)\s*$/;
  const BOOL_HOST = 'lightning-input';
  const isBool = (h) => !!dom.within(h, 'input[type="checkbox"], lightning-icon[icon-name^="utility:check"], lightning-icon[icon-name="utility:steps"]');
  const sectionOf = (el) => dom.closestDeep(el, 'lightning-accordion-section') || dom.closestDeep(el, '.slds-section, section, [role="tabpanel"]');

  /**
   * Controls found by structure (docs/salesforce-dom.md, "Labels by language"), for fields
   * `want` that no label found:
   * - scopes: the list whose options end with protocol names;
   * - requirePkce / dpop: the boolean whose label carries "PKCE" / "DPoP";
   * - requireSecretWebServer, requireSecretRefresh: the two booleans right before PKCE in its
   *   section (Setup's order: secret for web server, secret for refresh, PKCE);
   * - callbackUrl: the control right before the scopes (App Settings: callback, then scopes);
   * - oauthEnabled: the first boolean of the page, when it comes before the OAuth settings;
   * - jwtBearerCertificate: the file control right after the JWT bearer flow's checkbox.
   * Returns field → host.
   */
  function structural(root, want, found = {}) {
    const out = {};
    // Base components, and read-only form elements that hold none (view mode), as shown.
    const top = dom.ordered(root, HOST_SEL).filter((h) => (h.matches(dom.HOSTS) || !dom.within(h, dom.HOSTS)) && dom.visible(h));
    const bools = top.filter((h) => h.matches(BOOL_HOST) && isBool(h));
    const scopes =
      found.scopes ||
      top.find((h) => h.matches('lightning-dual-listbox') && dom.withinAll(h, '[role="option"]').some((o) => SCOPE_TEXT.test(optionText(o)))) ||
      top.find((h) => !h.matches(dom.HOSTS) && staticOf(h) && dom.lines(staticOf(h)).flatMap(splitList).some((l) => SCOPE_TEXT.test(l)));
    if (want.includes('scopes') && scopes && !found.scopes) out.scopes = scopes;
    const word = (re) => bools.find((h) => re.test(labelOf(h)));
    const pkce = found.requirePkce || word(/\bPKCE\b/);
    if (want.includes('requirePkce') && pkce && !found.requirePkce) out.requirePkce = pkce;
    if (want.includes('dpop')) {
      const d = word(/\bDPoP\b/);
      if (d) out.dpop = d;
    }
    const i = pkce ? bools.indexOf(pkce) : -1;
    if (i >= 2 && sectionOf(bools[i - 2]) === sectionOf(pkce) && sectionOf(bools[i - 1]) === sectionOf(pkce)) {
      if (want.includes('requireSecretWebServer')) out.requireSecretWebServer = bools[i - 2];
      if (want.includes('requireSecretRefresh')) out.requireSecretRefresh = bools[i - 1];
    }
    const si = scopes ? top.indexOf(scopes) : -1;
    if (want.includes('callbackUrl') && si > 0) {
      const before = top[si - 1];
      if (before.matches('lightning-textarea') || (!before.matches(dom.HOSTS) && !isBool(before))) out.callbackUrl = before;
    }
    const first = bools[0];
    const firstOauth = [scopes, pkce].map((h) => top.indexOf(h)).filter((x) => x >= 0);
    if (want.includes('oauthEnabled') && first && first !== pkce && firstOauth.every((x) => x > top.indexOf(first))) out.oauthEnabled = first;
    const jwt = found.jwtBearerFlow;
    if (want.includes('jwtBearerCertificate') && jwt) {
      const next = top[top.indexOf(jwt) + 1];
      if (next && (dom.within(next, 'input[type="file"]') || (!isBool(next) && sectionOf(next) === sectionOf(jwt)))) out.jwtBearerCertificate = next;
    }
    return out;
  }

  // ---- sections ------------------------------------------------------------------------------

  /**
   * Collapsible sections: lightning-accordion-section and SLDS expandable sections (Setup's own
   * pages build them as `h3 > button[aria-expanded]`, docs/salesforce-dom.md). Each:
   * {el, title, open, toggle} where `toggle` is the button whose aria-expanded says open.
   */
  function sections(doc) {
    const out = [];
    for (const b of dom.queryAll(doc, 'button.slds-accordion__summary-action, .slds-section__title button, button.slds-section__title-action')) {
      // The component's host first: a <section> inside its shadow root is not in the tab's tree.
      const el = dom.closestDeep(b, 'lightning-accordion-section') || dom.closestDeep(b, '.slds-section') || dom.closestDeep(b, 'section') || b;
      const t = dom.within(b, '[title]');
      const title = dom.norm((t && t.getAttribute('title')) || dom.text(b)).slice(0, MAX_LABEL);
      out.push({ el, title, toggle: b, open: isOpen(b) });
    }
    return out;
  }
  const isOpen = (toggle) => toggle.getAttribute('aria-expanded') !== 'false';

  /** Which of `names` (label data `sections` entries) a title is, or null. */
  function sectionName(title, names, lang) {
    const k = L.key(title);
    return names.find((n) => L.of('sections', n, lang).some((t) => L.key(t) === k)) || null;
  }

  const READ = { bool: readBool, text: readText, list: readList, file: readFile };
  /** Reads `host` as a field of `kind` ('bool', 'text', 'choice', 'list', 'file'). */
  const readAs = (kind, field, host) => (kind === 'choice' ? readChoice(field, host) : READ[kind](host));

  g.lwc = { labelIndex, byLabel, allByLabel, pickInForm, labelOf, readAs, splitList, structural, sections, sectionName, isOpen, SCOPE_TEXT, MAX_LABEL };
})();
