// Reader for Setup › Security › Session Settings, the classic page /_ui/system/security/
// SessionSettings that Lightning (/lightning/setup/SecuritySession/home) shows in the Aloha
// iframe (docs/salesforce-dom.md §4). This script runs inside that iframe (all_frames).
//
// The checkboxes carry positional ids (p23…) that shift when Salesforce adds a setting, so they
// are found by label text: label[for] → checkbox, else the checkbox in the same row
// (td.labelCol ↔ td.dataCol). A label that is missing (renamed, other edition, other locale not
// in LABELS) is reported as unreadable, never guessed.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { classic } = g;

  const PATH = /\/_ui\/system\/security\/SessionSettings\b/;

  /** field → label per locale (English first: it is what the "could not read" note names). */
  const LABELS = {
    lockSessionsToIp: [
      'Lock sessions to the IP address from which they originated',
      'Sitzungen an die IP-Adresse binden, von der sie stammen',
    ],
    lockSessionsToDomain: [
      'Lock sessions to the domain in which they were first used',
      'Sitzungen an die Domäne binden, in der sie zuerst verwendet wurden',
    ],
    enforceIpRangesEveryRequest: [
      'Enforce login IP ranges on every request',
      'Anmelde-IP-Bereiche bei jeder Anforderung durchsetzen',
    ],
  };

  function detect(doc) {
    if (!classic.isClassic(doc)) return false;
    if (PATH.test(location.pathname)) return true;
    // The path may change; two of our labels on one classic page is Session Settings too.
    const index = classic.labelIndex(doc);
    let hits = 0;
    for (const labels of Object.values(LABELS)) if (labels.some((l) => index.has(classic.labelKey(l)))) hits++;
    return hits >= 2;
  }

  function read(doc) {
    const index = classic.labelIndex(doc);
    const c = classic.collector('session-settings');
    for (const [field, labels] of Object.entries(LABELS)) {
      const found = classic.control(index, labels, 'input[type="checkbox"]');
      c.value(field, found, found.control ? !!found.control.checked : null);
    }
    return c.result();
  }

  g.readers.push({ id: 'session-settings', detect, read, path: PATH });
})();
