// Reader for Setup › Security › Session Settings, the classic page /_ui/system/security/
// SessionSettings that Lightning (/lightning/setup/SecuritySession/home) shows in the Aloha
// iframe (docs/salesforce-dom.md §4). This script runs inside that iframe (all_frames).
//
// The checkboxes carry positional ids (p23…) that shift when Salesforce adds a setting, so they
// are found by label text: label[for] → checkbox, else the checkbox in the same row
// (td.labelCol ↔ td.dataCol), in every language content/labels.js has. A label that is missing
// (renamed, other edition) is reported as unreadable, never guessed; a page in a language
// without labels is marked `labelsUnknown`.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { classic, labels: L } = g;

  const PATH = /\/_ui\/system\/security\/SessionSettings\b/;

  const FIELDS = ['lockSessionsToIp', 'lockSessionsToDomain', 'enforceIpRangesEveryRequest'];

  function detect(doc) {
    if (!classic.isClassic(doc)) return false;
    if (PATH.test(location.pathname)) return true;
    // The path may change; two of our labels on one classic page is Session Settings too.
    const index = classic.labelIndex(doc);
    const lang = L.pageLang(doc);
    let hits = 0;
    for (const f of FIELDS) if (classic.labelsOf(f, lang).some((l) => index.has(classic.labelKey(l)))) hits++;
    return hits >= 2;
  }

  function read(doc) {
    const index = classic.labelIndex(doc);
    const lang = L.pageLang(doc);
    const c = classic.collector('session-settings');
    const found = FIELDS.map((f) => [f, classic.control(index, classic.labelsOf(f, lang), 'input[type="checkbox"]')]);
    // A page in a language without labels: nothing here is known by structure (the rows have
    // positional ids only), so say which language it is instead of "could not read" three times.
    const unknown = classic.unknownLang(doc, found.some(([, r]) => r.label));
    if (unknown) {
      c.snapshot.labelsUnknown = unknown;
      return c.result();
    }
    for (const [field, r] of found) {
      if (r.reason && lang && lang !== 'en' && !L.has('fields', field, lang) && !r.label) r.reason = `ECA Guard knows no "${lang}" label for it yet`;
      c.value(field, r, r.control ? !!r.control.checked : null);
    }
    return c.result();
  }

  g.readers.push({ id: 'session-settings', detect, read, path: PATH });
})();
