// Reader for the "New External Client App" form (Setup › External Client App Manager › New).
// Its URL is not public (docs/salesforce-dom.md §1), so detection is by content: the "Enable OAuth"
// checkbox next to a scopes dual listbox or the "Distribution State" picklist.
//
// Labels come from a per-locale table; add a locale by adding one object to LABELS. Scopes are
// read by their shown text, whose parenthesised protocol names are not translated, so the core
// recognises them in any language (docs/salesforce-facts.md, "OAuth scopes").
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom } = g;

  /** field name (snapshot, camelCase) → label per locale. */
  const LABELS = {
    name: ['External Client App Name', 'Name der externen Client-App'],
    apiName: ['API Name', 'API-Name'],
    contactEmail: ['Contact Email', 'Kontakt-E-Mail'],
    distributionState: ['Distribution State', 'Verteilungsstatus'],
    oauthEnabled: ['Enable OAuth', 'OAuth aktivieren'],
    callbackUrl: ['Callback URL', 'Rückruf-URL'],
    scopes: ['OAuth Scopes', 'Selected OAuth Scopes', 'Available OAuth Scopes', 'OAuth-Bereiche', 'Ausgewählte OAuth-Bereiche', 'Verfügbare OAuth-Bereiche'],
    clientCredentialsFlow: ['Enable Client Credentials Flow', 'Client-Anmeldeinformationsfluss aktivieren'],
    codeCredentialsFlow: [
      'Enable Authorization Code and Credentials Flow',
      'Autorisierungscode- und Anmeldeinformationsfluss aktivieren',
    ],
    requireSecretWebServer: [
      'Require secret for Web Server Flow',
      'Geheimnis für Webserver-Fluss anfordern',
    ],
    requireSecretRefresh: [
      'Require secret for Refresh Token Flow',
      'Geheimnis für Aktualisierungstoken-Fluss anfordern',
    ],
    requirePkce: [
      'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows',
      'Require Proof Key for Code Exchange (PKCE)',
      'Proof Key for Code Exchange (PKCE)-Erweiterung für unterstützte Autorisierungsflüsse anfordern',
    ],
  };

  const TEXT_FIELDS = ['name', 'apiName', 'contactEmail'];
  const CHECKBOXES = [
    'oauthEnabled',
    'clientCredentialsFlow',
    'codeCredentialsFlow',
    'requireSecretWebServer',
    'requireSecretRefresh',
    'requirePkce',
  ];

  /** A scope option's text ends with parenthesised protocol names: "Full access (full)". */
  const SCOPE_TEXT = /\((?:[a-z_]+)(?:,\s*[a-z_]+)*\)\s*$/;

  function optionText(opt) {
    const t = dom.within(opt, 'span.slds-truncate[title]');
    return dom.norm((t && t.getAttribute('title')) || opt.textContent);
  }

  /** The dual listbox holding OAuth scopes: by label, else by what its options look like. */
  function scopesHost(doc, index) {
    const byLabel = index.host(LABELS.scopes, 'lightning-dual-listbox');
    if (byLabel) return byLabel;
    for (const box of dom.queryAll(doc, 'lightning-dual-listbox')) {
      const opts = dom.withinAll(box, '[role="option"]');
      if (opts.some((o) => SCOPE_TEXT.test(optionText(o)))) return box;
    }
    return null;
  }

  /** One pass over the page: label text (lower case) → base-component host. */
  function labelIndex(doc) {
    const map = new Map();
    const els = dom.queryAll(
      doc,
      'label, span.slds-form-element__label, span[part="label"], legend, [part="dual-listbox"] > div:first-child, .slds-form-element__legend'
    );
    for (const el of els) {
      const key = dom.norm(el.textContent).toLowerCase();
      if (!key || key.length > 200 || map.has(key)) continue;
      const host = dom.closestDeep(el, dom.HOSTS);
      if (host) map.set(key, { host, text: dom.norm(el.textContent) });
    }
    const shown = new Map(); // host → the label text found on the page
    return {
      host(labels, selector) {
        for (const l of labels) {
          const hit = map.get(dom.norm(l).toLowerCase());
          if (hit && (!selector || hit.host.matches(selector))) {
            shown.set(hit.host, hit.text);
            return hit.host;
          }
        }
        return null;
      },
      label: (host) => shown.get(host),
    };
  }

  function detect(doc) {
    const index = labelIndex(doc);
    const oauth = index.host(LABELS.oauthEnabled, 'lightning-input');
    if (!oauth) return false;
    return !!(index.host(LABELS.distributionState) || index.host(LABELS.name) || scopesHost(doc, index));
  }

  function readCheckbox(host) {
    const input = dom.within(host, 'input[type="checkbox"]');
    if (!input) return { reason: 'label found, but no checkbox next to it' };
    return { value: !!input.checked };
  }

  function readText(host) {
    const input = dom.within(host, 'textarea, input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"])');
    if (!input) return { reason: 'label found, but no text box next to it' };
    return { value: String(input.value) };
  }

  /** Picklist value: the API value (data-value) when Setup exposes it, else the shown label. */
  function readCombobox(host) {
    const select = dom.within(host, 'select');
    if (select) return { value: select.value };
    const ctl = dom.within(host, '[role="combobox"]');
    if (!ctl) return { reason: 'label found, but no picklist next to it' };
    const v = ctl.getAttribute('data-value');
    if (v) return { value: v };
    const shown = dom.norm(ctl.value !== undefined && ctl.tagName === 'INPUT' ? ctl.value : ctl.textContent);
    return shown ? { value: shown } : { value: null };
  }

  function readScopes(host) {
    const list = dom.within(host, 'ul[data-selected-list], [data-selected-list]');
    if (!list) return { reason: 'scope list found, but not its "Selected" column' };
    return { value: dom.withinAll(list, '[role="option"]').map(optionText).filter(Boolean) };
  }

  /**
   * Reads the form. `hint` ({controls, labels} of the previous read) may be passed when nothing
   * was added to or removed from the page since: the hosts are then reused and only the values
   * are read again, which skips the label search on every keystroke.
   */
  function read(doc, hint) {
    const reuse = !!(hint && hint.controls && Object.values(hint.controls).every((h) => h.isConnected));
    const index = reuse ? null : labelIndex(doc);
    const hostOf = (field, selector) => (reuse ? hint.controls[field] || null : index.host(LABELS[field], selector));
    const snapshot = { page: 'new-eca', unreadable: [] };
    const controls = {};
    const labels = {};
    const take = (field, host, reader) => {
      if (!host) return; // not on this page (or section not rendered): not checked
      controls[field] = host;
      labels[field] = (reuse ? hint.labels && hint.labels[field] : index.label(host)) || LABELS[field][0];
      const r = reader(host);
      if (r.reason) snapshot.unreadable.push({ field, reason: r.reason });
      else if (r.value !== null && r.value !== undefined) snapshot[field] = r.value;
    };
    for (const f of TEXT_FIELDS) take(f, hostOf(f, 'lightning-input'), readText);
    take('distributionState', hostOf('distributionState'), readCombobox);
    for (const f of CHECKBOXES) take(f, hostOf(f, 'lightning-input'), readCheckbox);
    take('callbackUrl', hostOf('callbackUrl', 'lightning-textarea, lightning-input'), readText);
    take('scopes', reuse ? hint.controls.scopes || null : scopesHost(doc, index), readScopes);
    return { snapshot, controls, labels };
  }

  g.readers.push({ id: 'new-eca', detect, read });
})();
