// Reader for IP ranges on classic Setup pages inside the Aloha iframe (docs/salesforce-dom.md §5):
// - Network Access (/05G, Lightning /lightning/setup/NetworkAccess/home): the org's trusted IP
//   ranges, a related-list table (table.list: tr.headerRow th…, tr.dataRow) with Start/End IP
//   Address columns;
// - a profile's detail page (/00e…, Lightning …/EnhancedProfiles/page?address=%2F00e…): its
//   "Login IP Ranges" related list (IP Start Address / IP End Address).
// Columns are found by header text, rows are checked to hold IP addresses, and a list that
// shows only part of its rows (pagination) is reported unreadable rather than half-read.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, classic } = g;

  const LISTS = {
    trustedIpRanges: {
      path: /^\/05G\/?$/,
      titles: ['Trusted IP Range', 'Trusted IP Ranges', 'Vertrauenswürdige IP-Bereiche', 'Vertrauenswürdiger IP-Bereich'],
    },
    loginIpRanges: {
      path: /^\/00e[0-9A-Za-z]{12,15}\/?$/,
      titles: ['Login IP Ranges', 'Anmelde-IP-Bereiche'],
    },
  };
  const START = ['Start IP Address', 'IP Start Address', 'Start-IP-Adresse', 'IP-Startadresse'];
  const END = ['End IP Address', 'IP End Address', 'End-IP-Adresse', 'IP-Endadresse'];
  const NO_ROWS = 'th.noRowsHeader, td.noRowsHeader';
  const MORE = 'a.pShowMore, .pShowMore a, .next a, a[title*="Next Page"], .paginator .next';

  // IPv4 dotted quad or an IPv6 literal; the core parses them for real.
  const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

  const keys = (list) => list.map((l) => classic.labelKey(l));

  /** The related list whose title is one of `titles`: its table, or null. */
  function findList(doc, titles) {
    const want = keys(titles);
    for (const h of doc.querySelectorAll('.pbTitle h3, .pbTitle h2')) {
      if (!want.includes(classic.labelKey(h.textContent))) continue;
      const block = h.closest('.bPageBlock');
      const table = block && block.querySelector('table.list');
      return { block, table, title: dom.norm(h.textContent) };
    }
    return null;
  }

  function detect(doc) {
    if (!classic.isClassic(doc)) return false;
    for (const spec of Object.values(LISTS)) {
      if (spec.path.test(location.pathname) || findList(doc, spec.titles)) return true;
    }
    return false;
  }

  /** Reads one list: {control, label, value} or {reason}. */
  function readList(doc, field, spec) {
    const found = findList(doc, spec.titles);
    if (!found) {
      return { reason: `no "${spec.titles[0]}" list on this page (renamed or removed by a Salesforce release?)` };
    }
    const { block, table, title } = found;
    if (!table) return { reason: `found "${title}", but not its table`, label: title };
    const base = { control: table, label: title };
    if (block.querySelector(MORE)) return { ...base, reason: `"${title}" shows only some of its rows; open the full list` };
    const header = table.querySelector('tr.headerRow');
    const heads = header ? [...header.children].map((th) => classic.labelKey(th.textContent)) : [];
    const si = heads.findIndex((h) => keys(START).includes(h));
    const ei = heads.findIndex((h) => keys(END).includes(h));
    if (si < 0 || ei < 0) return { ...base, reason: `"${title}" has no "${START[0]}"/"${END[0]}" columns` };
    const ranges = [];
    for (const tr of table.querySelectorAll('tr.dataRow')) {
      if (tr.querySelector(NO_ROWS)) continue;
      const cells = [...tr.children];
      const start = dom.norm(cells[si] && cells[si].textContent);
      const end = dom.norm(cells[ei] && cells[ei].textContent);
      if (!IP.test(start) || !IP.test(end)) {
        return { ...base, reason: `a row of "${title}" does not hold IP addresses where expected` };
      }
      ranges.push({ start, end });
    }
    return { ...base, value: ranges };
  }

  function read(doc) {
    const c = classic.collector('network-access');
    for (const [field, spec] of Object.entries(LISTS)) {
      const onItsPage = spec.path.test(location.pathname);
      const r = readList(doc, field, spec);
      // A list that is not on this page and not expected here is simply not on this surface.
      if (!r.control && !onItsPage) continue;
      c.value(field, r, r.reason ? null : r.value);
    }
    return c.result();
  }

  g.readers.push({ id: 'network-access', detect, read, path: { test: (p) => Object.values(LISTS).some((s) => s.path.test(p)) } });
})();
