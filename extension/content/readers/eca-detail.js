// Reader for the External Client App detail page, the second phase after the app is created
// (docs/salesforce-dom.md §2, §3; docs/salesforce-facts.md "Setup pages"):
// /lightning/setup/ManageExternalClientApplication/<0xI… id>/detail, tabs Settings and Policies.
// - Settings › OAuth Settings: callback, scopes, flow and security toggles as saved;
// - Policies › OAuth Policies: Permitted Users, IP Relaxation, Refresh Token Policy.
// Each in view mode (read-only form elements: label + static text, booleans as checkbox images)
// and in edit mode (base components: checkbox, textarea, dual listbox, combobox, or a <select>).
//
// Only what is shown is read: the other tab's fields are "not on this surface" (not checked),
// while a field missing from a section that is shown is reported unreadable. The consumer key
// and secret are never read: no label here names them, and the reader reads only these fields.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom } = g;

  const PATH = /\/lightning\/setup\/ManageExternalClientApplication\/0xI[0-9A-Za-z]{12,15}\/detail\b/;

  /** field → [kind, labels…] (English first; it names the field in "could not read" notes). */
  const FIELDS = {
    distributionState: ['choice', 'Distribution State', 'Verteilungsstatus'],
    oauthEnabled: ['bool', 'Enable OAuth', 'OAuth aktivieren'],
    callbackUrl: ['text', 'Callback URL', 'Rückruf-URL'],
    scopes: ['scopes', 'Selected OAuth Scopes', 'OAuth Scopes', 'Ausgewählte OAuth-Bereiche', 'OAuth-Bereiche'],
    clientCredentialsFlow: ['bool', 'Enable Client Credentials Flow'],
    codeCredentialsFlow: ['bool', 'Enable Authorization Code and Credentials Flow'],
    requireSecretWebServer: ['bool', 'Require secret for Web Server Flow'],
    requireSecretRefresh: ['bool', 'Require secret for Refresh Token Flow'],
    requirePkce: [
      'bool',
      'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows',
      'Require Proof Key for Code Exchange (PKCE)',
    ],
    permittedUsers: ['choice', 'Permitted Users', 'Zulässige Benutzer'],
    ipRelaxation: ['choice', 'IP Relaxation', 'IP-Lockerung'],
    refreshTokenPolicy: ['choice', 'Refresh Token Policy', 'Aktualisierungstoken-Richtlinie'],
  };
  /** Sections (accordion labels) and the fields a shown section must have. */
  const SECTIONS = {
    settings: { titles: ['OAuth Settings', 'OAuth-Einstellungen'], expect: ['callbackUrl', 'scopes'] },
    policies: { titles: ['OAuth Policies', 'OAuth-Richtlinien'], expect: ['permittedUsers', 'ipRelaxation'] },
  };

  const LABEL_SEL =
    'label, span.slds-form-element__label, span[part="label"], [part="dual-listbox"] > div:first-child, .slds-form-element__legend, dt';
  const HOST_SEL = `${dom.HOSTS}, .slds-form-element`;
  const key = (t) => dom.norm(t).replace(/\s*:$/, '').toLowerCase();

  /** Visible accordion sections by our section id. */
  function shownSections(doc) {
    const out = {};
    for (const s of dom.queryAll(doc, '.slds-accordion__summary-content, .slds-accordion__summary-action')) {
      const k = key(s.getAttribute('title') || s.textContent);
      for (const [id, spec] of Object.entries(SECTIONS)) {
        if (spec.titles.some((t) => key(t) === k) && dom.visible(s)) out[id] = dom.closestDeep(s, 'lightning-accordion-section') || s;
      }
    }
    return out;
  }

  function detect(doc) {
    if (PATH.test(location.pathname)) return true;
    if (doc.body && doc.body.classList.contains('sfdcBody')) return false; // a classic page
    // The route may change: a tab bar with a Policies tab next to an "OAuth Policies"/"OAuth
    // Settings" accordion is this page too.
    const tabs = dom.queryAll(doc, '[role="tab"]').map((t) => key(t.getAttribute('data-label') || t.textContent));
    return tabs.includes('policies') && tabs.includes('settings') && Object.keys(shownSections(doc)).length > 0;
  }

  /** label text → visible host elements, one pass. */
  function labelIndex(doc) {
    const map = new Map();
    for (const el of dom.queryAll(doc, LABEL_SEL)) {
      const k = key(el.textContent);
      if (!k || k.length > 200) continue;
      const host = dom.closestDeep(el, HOST_SEL);
      if (!host) continue;
      if (!map.has(k)) map.set(k, []);
      map.get(k).push({ host, text: dom.norm(el.textContent) });
    }
    return map;
  }

  const lines = dom.lines;

  const TRUE = ['true', 'checked', 'yes', 'on', 'enabled', 'aktiviert', 'ja'];
  const FALSE = ['false', 'not checked', 'no', 'off', 'disabled', 'deaktiviert', 'nein', 'nicht aktiviert'];

  /** The read-only value element of a view-mode form element. */
  const staticOf = (host) => dom.within(host, '.slds-form-element__static, dd');

  function readBool(host) {
    const input = dom.within(host, 'input[type="checkbox"]');
    if (input) return { value: !!input.checked };
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    const img = dom.within(st, 'img, lightning-icon, [alternative-text]');
    const text = key(img ? img.getAttribute('alt') || img.getAttribute('alternative-text') || img.getAttribute('title') || '' : st.textContent);
    const src = img && img.getAttribute('src') ? img.getAttribute('src') : '';
    if (/checkbox_checked/i.test(src) || TRUE.includes(text)) return { value: true };
    if (/checkbox_unchecked/i.test(src) || FALSE.includes(text)) return { value: false };
    return { reason: `shows "${text}", which is neither on nor off` };
  }

  function readText(host) {
    const input = dom.within(host, 'textarea, input.slds-input, input[type="text"], input[type="url"]');
    if (input) return { value: String(input.value) };
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    return { value: lines(st).join('\n') };
  }

  function readChoice(host) {
    const select = dom.within(host, 'select');
    if (select) {
      const opt = select.selectedOptions && select.selectedOptions[0];
      return opt ? { value: opt.value || dom.norm(opt.textContent) } : { reason: 'nothing selected' };
    }
    const ctl = dom.within(host, '[role="combobox"]');
    if (ctl) {
      const v = ctl.getAttribute('data-value') || dom.norm(ctl.tagName === 'INPUT' ? ctl.value : ctl.textContent);
      return v ? { value: v } : { reason: 'nothing selected' };
    }
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    const v = dom.norm(st.textContent);
    return v ? { value: v } : { reason: 'empty' };
  }

  function optionText(opt) {
    const t = dom.within(opt, 'span.slds-truncate[title]');
    return dom.norm((t && t.getAttribute('title')) || opt.textContent);
  }

  function readScopes(host) {
    if (host.matches('lightning-dual-listbox')) {
      const list = dom.within(host, 'ul[data-selected-list], [data-selected-list]');
      if (!list) return { reason: 'scope list found, but not its "Selected" column' };
      return { value: dom.withinAll(list, '[role="option"]').map(optionText).filter(Boolean) };
    }
    const st = staticOf(host);
    if (!st) return { reason: 'label found, but no value next to it' };
    return { value: lines(st) };
  }

  const READ = { bool: readBool, text: readText, choice: readChoice, scopes: readScopes };

  function read(doc) {
    const index = labelIndex(doc);
    const sections = shownSections(doc);
    const snapshot = { page: 'eca-detail', unreadable: [] };
    const controls = {};
    const labels = {};
    const title = dom.query(doc, 'h1.slds-page-header__title, .slds-page-header__title');
    if (title) snapshot.name = dom.norm(title.getAttribute('title') || title.textContent).slice(0, 200);
    for (const [field, [kind, ...names]] of Object.entries(FIELDS)) {
      let hit = null;
      for (const n of names) {
        hit = (index.get(key(n)) || []).find((h) => dom.visible(h.host));
        if (hit) break;
      }
      if (!hit) {
        const section = Object.entries(SECTIONS).find(([id, s]) => sections[id] && s.expect.includes(field));
        if (section) {
          snapshot.unreadable.push({ field, reason: `no "${names[0]}" in "${SECTIONS[section[0]].titles[0]}" (renamed or removed by a Salesforce release?)` });
          controls[field] = sections[section[0]];
          labels[field] = names[0];
        }
        continue;
      }
      controls[field] = hit.host;
      labels[field] = hit.text;
      const r = READ[kind](hit.host);
      if (r.reason) snapshot.unreadable.push({ field, reason: r.reason });
      else snapshot[field] = r.value;
    }
    return { snapshot, controls, labels };
  }

  g.readers.push({ id: 'eca-detail', detect, read, path: PATH });
})();
