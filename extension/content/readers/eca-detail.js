// Reader for the External Client App detail page, the second phase after the app is created
// (docs/salesforce-dom.md §2, §3; docs/salesforce-facts.md "Setup pages"):
// /lightning/setup/ManageExternalClientApplication/<0xI… id>/detail, tabs Settings and Policies.
// - Settings › OAuth Settings: callback, scopes, flows (JWT bearer and its certificate, device,
//   token exchange), security (secrets, PKCE, refresh token rotation, JWT access tokens, DPoP);
// - Policies › OAuth Policies: Permitted Users and the profiles and permission sets assigned,
//   client credentials' Run As user, refresh token policy and its 30-day idle limit, IP Relaxation.
// View mode (read-only checkboxes render an icon, no <input>) and edit mode (base components).
//
// One app, one state: a tab's content is rendered only once the tab is first shown, and the
// admin moves between tabs, so what was read on each tab is remembered for the app (keyed by
// org host and record id) for the life of the page, and the snapshot holds the whole app.
// What was never shown is `hidden`, naming the tab or section to open. The consumer key and
// secret are never read: no label here names them.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, labels: L, lwc } = g;

  const PATH = /\/lightning\/setup\/ManageExternalClientApplication\/(0xI[0-9A-Za-z]{12,15})\/detail\b/;

  /** field → [kind, tab]; tab 'page' is outside the tabs (the header). */
  const FIELDS = {
    distributionState: ['choice', 'page'],
    oauthEnabled: ['bool', 'settings'],
    callbackUrl: ['text', 'settings'],
    scopes: ['list', 'settings'],
    clientCredentialsFlow: ['bool', 'settings'],
    codeCredentialsFlow: ['bool', 'settings'],
    jwtBearerFlow: ['bool', 'settings'],
    jwtBearerCertificate: ['file', 'settings'],
    deviceFlow: ['bool', 'settings'],
    tokenExchangeFlow: ['bool', 'settings'],
    requireSecretWebServer: ['bool', 'settings'],
    requireSecretRefresh: ['bool', 'settings'],
    requirePkce: ['bool', 'settings'],
    refreshTokenRotation: ['bool', 'settings'],
    jwtAccessTokens: ['bool', 'settings'],
    dpop: ['bool', 'settings'],
    permittedUsers: ['choice', 'policies'],
    permittedUsersAssignment: ['list', 'policies'],
    clientCredentialsUser: ['text', 'policies'],
    refreshTokenPolicy: ['choice', 'policies'],
    refreshTokenIdleLimit: ['bool', 'policies'],
    ipRelaxation: ['choice', 'policies'],
  };
  /** Each tab's collapsible section (label data `sections`) and the fields a shown one must have. */
  const TABS = {
    settings: { section: 'oauthSettings', expect: ['callbackUrl', 'scopes'] },
    policies: { section: 'oauthPolicies', expect: ['permittedUsers', 'ipRelaxation'] },
  };

  function detect(doc) {
    if (PATH.test(location.pathname)) return true;
    if (doc.body && doc.body.classList.contains('sfdcBody')) return false; // a classic page
    // The route may change: Settings and Policies tabs next to an "OAuth Settings"/"OAuth
    // Policies" section is this page too.
    const lang = L.pageLang(doc);
    const t = tabs(doc, lang);
    return !!(t.settings && t.policies) && lwc.sections(doc).some((s) => lwc.sectionName(s.title, ['oauthSettings', 'oauthPolicies'], lang));
  }

  /**
   * The tabs: name → {label, selected, panel}. A tab is known by its label in a sourced language,
   * else by its place (Settings first, Policies second, as every guide shows them:
   * docs/salesforce-dom.md §2); its panel is the lightning-tab at the same place (tabset.js gives
   * each role=tabpanel, in the tab bar's order).
   */
  function tabs(doc, lang) {
    const links = dom.queryAll(doc, '[role="tab"]');
    if (links.length < 2) return {}; // not this page: spare the walk below (every Lightning page detects)
    const panels = dom.ordered(doc, '[role="tabpanel"]');
    const out = {};
    links.forEach((a, i) => {
      const label = dom.norm(a.getAttribute('data-label') || dom.text(a)).slice(0, lwc.MAX_LABEL);
      const k = L.key(label);
      let name = Object.keys(TABS).find((n) => L.of('tabs', n, lang).some((t) => L.key(t) === k));
      if (!name && links.length === 2) name = Object.keys(TABS)[i];
      if (name && !out[name]) out[name] = { label, selected: a.getAttribute('aria-selected') === 'true', panel: panels[i] || null };
    });
    return out;
  }

  // ---- one app, one state --------------------------------------------------------------------

  /** app key → {field → {value} | {reason}, with the label shown}: values only, never secrets. */
  const memory = new Map();
  const MAX_APPS = 20;
  function appMemory() {
    const m = location.pathname.match(PATH);
    const k = `${location.host}/${m ? m[1] : location.pathname}`;
    if (!memory.has(k)) {
      if (memory.size >= MAX_APPS) memory.delete(memory.keys().next().value);
      memory.set(k, {});
    }
    return memory.get(k);
  }

  function read(doc) {
    const lang = L.pageLang(doc);
    const index = lwc.labelIndex(doc);
    const tabInfo = tabs(doc, lang);
    const secs = lwc.sections(doc);
    const snapshot = { page: 'eca-detail', unreadable: [] };
    const controls = {};
    const labels = {};
    const hidden = [];
    const mem = appMemory();
    const title = dom.query(doc, 'h1.slds-page-header__title, .slds-page-header__title');
    if (title) snapshot.name = dom.norm(title.getAttribute('title') || dom.text(title)).slice(0, 200);

    /** Where a tab's fields stand: 'shown', or the tab or section to open. */
    const where = {};
    for (const [name, spec] of Object.entries(TABS)) {
      const tab = tabInfo[name];
      if (tab && !tab.selected) {
        where[name] = { open: tab.label };
        continue;
      }
      const sec = secs.find((s) => lwc.sectionName(s.title, [spec.section], lang) && (!tab || !tab.panel || tab.panel.contains(s.el)));
      where[name] = sec && !sec.open ? { open: sec.title, el: sec.el } : { shown: true, el: sec && sec.el, panel: tab && tab.panel };
    }

    const take = (field, kind, host, label) => {
      controls[field] = host;
      labels[field] = label;
      const r = typeof kind === 'object' ? kind.read() : lwc.readAs(kind, field, host);
      mem[field] = r.reason ? { reason: r.reason, label } : { value: r.value, label };
      if (r.reason) snapshot.unreadable.push({ field, reason: r.reason });
      else if (r.value !== null && r.value !== undefined) snapshot[field] = r.value;
    };
    const recall = (field) => {
      const m = mem[field];
      if (!m) return false;
      labels[field] = m.label;
      if (m.reason) snapshot.unreadable.push({ field, reason: m.reason });
      else if (m.value !== null && m.value !== undefined) snapshot[field] = m.value;
      return true;
    };

    let byLabel = 0;
    const wanted = [];
    // A label on more than one shown control: the one with the page's other controls (a page
    // may build a look-alike; lwc.pickInForm).
    const cands = {};
    for (const field of Object.keys(FIELDS)) cands[field] = lwc.allByLabel(index, field, lang, (h) => dom.visible(h));
    const picked = lwc.pickInForm(cands);
    for (const [field, [kind, tab]] of Object.entries(FIELDS)) {
      if (field === 'permittedUsersAssignment' && takeNames(field, index, lang, take)) {
        byLabel++;
        continue;
      }
      const hit = picked[field];
      if (hit) {
        byLabel++;
        take(field, kind, hit.host, hit.text.slice(0, lwc.MAX_LABEL));
        continue;
      }
      const w = where[tab];
      if (w && w.open) {
        if (!recall(field)) hidden.push({ field, section: w.open });
        continue;
      }
      wanted.push(field);
    }
    // What no label found on a shown tab: by structure (docs/salesforce-dom.md).
    for (const name of Object.keys(TABS)) {
      const w = where[name];
      const mine = wanted.filter((f) => FIELDS[f][1] === name);
      if (!w || !w.shown || !mine.length) continue;
      const found = Object.fromEntries(Object.keys(FIELDS).filter((f) => controls[f]).map((f) => [f, controls[f]]));
      const s = lwc.structural(w.panel || w.el || doc, mine, found);
      for (const [field, host] of Object.entries(s)) take(field, FIELDS[field][0], host, lwc.labelOf(host) || L.of('fields', field, 'en')[0]);
    }
    const labelsUnknown = !L.known(lang) && byLabel === 0 ? lang || 'unknown' : null;
    for (const field of wanted) {
      // Not remembered values here: on a shown, open tab the page itself says what it has.
      if (controls[field] || labelsUnknown) continue;
      const [, tab] = FIELDS[field];
      const w = where[tab];
      if (w && w.shown && w.el && TABS[tab].expect.includes(field)) {
        const sec = secs.find((s) => s.el === w.el);
        snapshot.unreadable.push({ field, reason: unreadableReason(field, lang, sec ? sec.title : '') });
        controls[field] = w.el;
        labels[field] = L.of('fields', field, lang)[0];
      }
    }
    if (hidden.length) snapshot.hidden = hidden;
    snapshot.labels = labels;
    if (labelsUnknown) snapshot.labelsUnknown = labelsUnknown;
    return { snapshot, controls, labels };
  }

  /**
   * Profiles and permission sets assigned to the app: two lists on the Policies tab (INFERENCE:
   * docs/salesforce-dom.md, "Labels by language"), one setting. Reads every shown list and
   * takes the names of all; false when none is shown.
   */
  function takeNames(field, index, lang, take) {
    const hits = L.of('fields', field, lang).flatMap((l) => index.get(L.key(l)) || []).filter((h) => dom.visible(h.host));
    const seen = hits.filter((h, i) => hits.findIndex((o) => o.host === h.host) === i);
    if (!seen.length) return false;
    const names = [];
    for (const h of seen) {
      const r = lwc.readAs('list', field, h.host);
      if (r.reason) {
        take(field, 'list', h.host, h.text);
        return true;
      }
      names.push(...r.value);
    }
    take(field, { read: () => ({ value: names }) }, seen[0].host, seen.map((h) => h.text).join(' / ').slice(0, lwc.MAX_LABEL));
    return true;
  }

  function unreadableReason(field, lang, section) {
    if (lang && lang !== 'en' && !L.has('fields', field, lang)) return `ECA Guard knows no "${lang}" label for it yet`;
    return `no "${L.of('fields', field, lang)[0]}" in "${section}" (renamed or removed by a Salesforce release?)`;
  }

  g.readers.push({ id: 'eca-detail', detect, read, path: PATH });
})();
