// Reader for the legacy Connected App pages (pack veeam-connected-app; docs/salesforce-dom.md §1):
// the classic Visualforce New/Edit page (/app/mgmt/forceconnectedapps/forceAppEdit.apexp) and
// its detail page (…/forceAppDetail.apexp), shown by Lightning in the Aloha iframe; this script
// runs inside that iframe (all_frames).
//
// Rows are th.labelCol > label[for] + td.data2Col. The Visualforce ids are known
// (appsetup:setupForm:details:…) but generated from the page's component tree, so we go by label
// text and use ids only as a fallback for the two controls without a row label of their own
// (the selected-scopes list). The Consumer Key/Secret are never read.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, classic, labels: L, lwc } = g;

  const PATH = /\/app\/mgmt\/forceconnectedapps\/forceApp(Edit|Detail)\.apexp$/;

  /** field → kind; the labels are content/labels.js's (a Connected App says "Connected App Name",
   * "Enable OAuth Settings", "Require Secret for …", which the label data lists too). */
  const FIELDS = {
    name: 'text',
    contactEmail: 'text',
    oauthEnabled: 'bool',
    callbackUrl: 'text',
    scopes: 'scopes',
    requireSecretWebServer: 'bool',
    requireSecretRefresh: 'bool',
    requirePkce: 'bool',
    clientCredentialsFlow: 'bool',
    codeCredentialsFlow: 'bool',
  };
  /** Fields every Connected App page shows (others may be absent by release or edition). */
  const EXPECT = ['name', 'callbackUrl', 'scopes'];

  function detect(doc) {
    if (!classic.isClassic(doc)) return false;
    if (PATH.test(location.pathname)) return true;
    const index = classic.labelIndex(doc);
    const lang = L.pageLang(doc);
    const has = (f) => classic.labelsOf(f, lang).some((l) => index.has(classic.labelKey(l)));
    return index.has(classic.labelKey('Connected App Name')) && (has('oauthEnabled') || has('callbackUrl'));
  }

  function isEdit(doc) {
    if (/forceAppEdit/.test(location.pathname)) return true;
    if (/forceAppDetail/.test(location.pathname)) return false;
    return !!doc.querySelector('.bEditBlock');
  }

  /** Edit page: the control next to a label. */
  function editControl(index, field, kind, labels) {
    if (kind === 'bool') return classic.control(index, labels, 'input[type="checkbox"]');
    if (kind === 'text') return classic.control(index, labels, 'textarea, input[type="text"], input[type="email"], input:not([type])');
    // Scopes: the dueling list's "Selected OAuth Scopes" <label for> names the select, or the
    // row's second select (Visualforce id …:duelingListBox:backingList_s as a last resort).
    const direct = classic.control(index, labels, 'select');
    if (direct.control && direct.control.multiple) {
      const box = direct.control.closest('table.duelingListBox');
      const selects = box ? box.querySelectorAll('select') : [];
      // A row label (not the column title) finds the Available list first: take the last one.
      if (selects.length === 2 && direct.control === selects[0]) return { control: selects[1], label: direct.label };
      return direct;
    }
    return direct;
  }

  function editValue(kind, control) {
    if (kind === 'bool') return !!control.checked;
    if (kind === 'text') return String(control.value);
    return [...control.options].map((o) => dom.norm(o.textContent)).filter(Boolean);
  }

  function detailValue(kind, cell) {
    if (kind === 'bool') return classic.checkedIn(cell);
    if (kind === 'text') return classic.lines(cell).join('\n');
    // Scopes one per line, or on one line separated by commas outside the parentheses.
    return classic.lines(cell).flatMap(lwc.splitList);
  }

  function read(doc) {
    const index = classic.labelIndex(doc);
    const lang = L.pageLang(doc);
    const edit = isEdit(doc);
    const c = classic.collector(edit ? 'connected-app-edit' : 'connected-app-detail');
    for (const [field, kind] of Object.entries(FIELDS)) {
      const labels = classic.labelsOf(field, lang);
      const found = edit ? editControl(index, field, kind, labels) : classic.valueCell(index, labels);
      if (found.reason && !found.label && !EXPECT.includes(field)) continue; // not on this page
      if (found.reason) {
        c.value(field, found, null);
        continue;
      }
      const value = edit ? editValue(kind, found.control) : detailValue(kind, found.control);
      c.value(field, value === null ? { ...found, reason: `could not tell whether "${found.label}" is on` } : found, value);
    }
    // The detail page shows the OAuth section only when OAuth is on.
    if (!edit && !('oauthEnabled' in c.snapshot) && 'callbackUrl' in c.snapshot) c.snapshot.oauthEnabled = true;
    c.snapshot.unreadable = c.snapshot.unreadable.filter((u) => !(u.field === 'oauthEnabled' && c.snapshot.oauthEnabled !== undefined));
    // A page in a language without labels, known by its path: say so instead of "could not read".
    const unknown = classic.unknownLang(doc, Object.keys(c.labels).length > 0);
    if (unknown) {
      c.snapshot.labelsUnknown = unknown;
      c.snapshot.unreadable = [];
    }
    return c.result();
  }

  g.readers.push({ id: 'connected-app', detect, read, path: PATH });
})();
