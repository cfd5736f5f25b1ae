// Reader for the "New External Client App" form (Setup › External Client App Manager › New).
// Its URL is not public (docs/salesforce-dom.md §1): it is an in-page route of the ECA Manager,
// so the page is recognised by its controls (Enable OAuth next to the scopes list or the
// Distribution State picklist), or in a language whose labels ECA Guard does not know, by the
// ECA Manager's path and the form's shape (a checkbox and a picklist; INFERENCE,
// docs/salesforce-dom.md "Labels by language").
//
// Labels come from content/labels.js in every sourced language; what no label finds is looked
// for by structure (readers/lwc.js). On a page in an unknown language the snapshot says so
// (`labelsUnknown`) and carries only what structure gave.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, labels: L, lwc } = g;

  const MANAGER = /^\/lightning\/setup\/ManageExternalClientApplication\/(?!0xI)/;

  /** field → [kind, host selector], in page order. */
  const FIELDS = {
    name: ['text', 'lightning-input'],
    apiName: ['text', 'lightning-input'],
    contactEmail: ['text', 'lightning-input'],
    distributionState: ['choice', 'lightning-combobox'],
    oauthEnabled: ['bool', 'lightning-input'],
    callbackUrl: ['text', 'lightning-textarea, lightning-input'],
    scopes: ['list', 'lightning-dual-listbox'],
    clientCredentialsFlow: ['bool', 'lightning-input'],
    codeCredentialsFlow: ['bool', 'lightning-input'],
    jwtBearerFlow: ['bool', 'lightning-input'],
    jwtBearerCertificate: ['file', 'lightning-input'],
    deviceFlow: ['bool', 'lightning-input'],
    tokenExchangeFlow: ['bool', 'lightning-input'],
    requireSecretWebServer: ['bool', 'lightning-input'],
    requireSecretRefresh: ['bool', 'lightning-input'],
    requirePkce: ['bool', 'lightning-input'],
    refreshTokenRotation: ['bool', 'lightning-input'],
    jwtAccessTokens: ['bool', 'lightning-input'],
    dpop: ['bool', 'lightning-input'],
  };
  /** The form's collapsible sections (label data `sections`) and the fields inside each. */
  const SECTIONS = {
    appSettings: ['callbackUrl', 'scopes'],
    flows: ['clientCredentialsFlow', 'codeCredentialsFlow', 'jwtBearerFlow', 'jwtBearerCertificate', 'deviceFlow', 'tokenExchangeFlow'],
    security: ['requireSecretWebServer', 'requireSecretRefresh', 'requirePkce', 'refreshTokenRotation', 'jwtAccessTokens', 'dpop'],
  };
  /** Settings every form shows (the others come with a release, an edition, or a ticked flow). */
  const EXPECT = ['name', 'distributionState', 'oauthEnabled'];
  const OAUTH_EXPECT = ['callbackUrl', 'scopes', 'requireSecretWebServer', 'requireSecretRefresh', 'requirePkce'];

  const hasShape = (doc) => !!(dom.query(doc, 'lightning-combobox') && dom.query(doc, 'lightning-input input[type="checkbox"], lightning-input'));

  function detect(doc) {
    if (doc.body && doc.body.classList.contains('sfdcBody')) return false;
    const index = lwc.labelIndex(doc);
    const lang = L.pageLang(doc);
    if (lwc.byLabel(index, 'oauthEnabled', lang, (h) => h.matches('lightning-input'))) {
      return !!(lwc.byLabel(index, 'distributionState', lang) || lwc.byLabel(index, 'name', lang) || lwc.structural(doc, ['scopes']).scopes);
    }
    // A language without labels: the ECA Manager's form by its path and shape.
    return MANAGER.test(location.pathname) && !L.known(lang) && hasShape(doc) && index.size > 0 && !/\/home\/?$/.test(location.pathname);
  }

  /**
   * Reads the form. `hint` (the previous read) may be passed when no node was added or removed
   * since: its hosts are reused and only values are read again (no label search per keystroke);
   * the sections' open state is looked at again, cheaply, through the toggles it kept.
   */
  function read(doc, hint) {
    // Not on a page in an unknown language: what structure finds depends on what is shown, and
    // showing a section is an attribute change, not an added node.
    const reuse = !!(hint && hint.state && !hint.state.labelsUnknown && Object.values(hint.controls).every((h) => h.isConnected));
    const snapshot = { page: 'new-eca', unreadable: [] };
    const controls = {};
    const labels = {};
    const state = reuse ? hint.state : locate(doc);
    const closed = state.toggles.filter((s) => !lwc.isOpen(s.toggle));
    if (reuse && closed.length !== state.closed) return read(doc, null); // a section opened or closed
    const hidden = new Set();
    for (const s of closed) for (const f of SECTIONS[s.name]) hidden.add(f);
    for (const [field, [kind]] of Object.entries(FIELDS)) {
      if (hidden.has(field)) continue;
      const host = state.hosts[field];
      if (!host) {
        if (state.missing.includes(field)) snapshot.unreadable.push({ field, reason: missingReason(field, state.lang) });
        continue;
      }
      controls[field] = host;
      labels[field] = state.labels[field];
      const r = lwc.readAs(kind, field, host);
      if (r.reason) snapshot.unreadable.push({ field, reason: r.reason });
      else if (r.value !== null && r.value !== undefined) snapshot[field] = r.value;
    }
    const hid = closed.flatMap((s) => SECTIONS[s.name].map((field) => ({ field, section: s.title })));
    if (hid.length) snapshot.hidden = hid;
    snapshot.labels = labels;
    if (state.labelsUnknown) snapshot.labelsUnknown = state.labelsUnknown;
    return { snapshot, controls, labels, state: { ...state, closed: closed.length } };
  }

  /** Why a setting every form shows was not found: no label in this language, or none on the page. */
  function missingReason(field, lang) {
    if (lang && lang !== 'en' && !L.has('fields', field, lang)) return `ECA Guard knows no "${lang}" label for it yet`;
    return 'its label is not on this form (renamed or removed by a Salesforce release?)';
  }

  /** The full search: every field's host, by label, else by structure. */
  function locate(doc) {
    const lang = L.pageLang(doc);
    const index = lwc.labelIndex(doc);
    const hosts = {};
    const labels = {};
    // A label on more than one control: the one in the form (a page may build a look-alike).
    const cands = {};
    for (const [field, [, sel]] of Object.entries(FIELDS)) cands[field] = lwc.allByLabel(index, field, lang, (h) => h.matches(sel));
    for (const [field, hit] of Object.entries(lwc.pickInForm(cands))) {
      hosts[field] = hit.host;
      labels[field] = hit.text.slice(0, lwc.MAX_LABEL);
    }
    const byLabel = Object.keys(hosts).length;
    const want = Object.keys(FIELDS).filter((f) => !hosts[f]);
    for (const [field, host] of Object.entries(lwc.structural(doc, want, hosts))) {
      hosts[field] = host;
      labels[field] = lwc.labelOf(host) || L.of('fields', field, 'en')[0];
    }
    const toggles = [];
    for (const s of lwc.sections(doc)) {
      const name = lwc.sectionName(s.title, Object.keys(SECTIONS), lang);
      if (name) toggles.push({ name, title: s.title, toggle: s.toggle });
    }
    // A form in a language without labels: say so, and report nothing as unreadable (the
    // labels-unknown warning covers what could not be looked for).
    const labelsUnknown = !L.known(lang) && byLabel === 0 ? lang || 'unknown' : null;
    const oauthShown = !!(hosts.scopes || hosts.callbackUrl || hosts.requirePkce);
    const missing = labelsUnknown ? [] : [...EXPECT, ...(oauthShown ? OAUTH_EXPECT : [])].filter((f) => !hosts[f]);
    return { hosts, labels, toggles, labelsUnknown, missing, lang, closed: 0 };
  }

  g.readers.push({ id: 'new-eca', detect, read });
})();
