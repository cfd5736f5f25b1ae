// Reader for IP ranges on classic Setup pages inside the Aloha iframe (docs/salesforce-dom.md §5):
// - Network Access (/05G, Lightning /lightning/setup/NetworkAccess/home): the org's trusted IP
//   ranges, a related-list table (table.list: tr.headerRow th…, tr.dataRow) with Start/End IP
//   Address columns;
// - a profile's detail page (/00e…, Lightning …/EnhancedProfiles/page?address=%2F00e…): its
//   "Login IP Ranges" related list (IP Start Address / IP End Address).
// Lists and columns are found by their titles (content/labels.js), or on a page in a language
// without labels by what they hold (two columns of addresses); rows are checked to hold IP
// addresses, and a list that shows only part of its rows (pagination) is reported unreadable
// rather than half-read.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  const { dom, classic, labels: L } = g;

  const LISTS = {
    trustedIpRanges: { path: /^\/05G\/?$/ },
    loginIpRanges: { path: /^\/00e[0-9A-Za-z]{12,15}\/?$/ },
  };
  const NO_ROWS = 'th.noRowsHeader, td.noRowsHeader';
  const MORE = 'a.pShowMore, .pShowMore a, .next a, a[title*="Next Page"], .paginator .next';

  // IPv4 dotted quad or an IPv6 literal; the core parses them for real.
  const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

  const keys = (list) => list.map((l) => classic.labelKey(l));

  /** The related list whose title is one of the field's labels: {block, table, title}, or null. */
  function findList(doc, field, lang) {
    const want = keys(classic.labelsOf(field, lang));
    for (const h of doc.querySelectorAll('.pbTitle h3, .pbTitle h2')) {
      if (!want.includes(classic.labelKey(h.textContent))) continue;
      const block = h.closest('.bPageBlock');
      const table = block && block.querySelector('table.list');
      return { block, table, title: dom.norm(h.textContent) };
    }
    return null;
  }

  /**
   * The only related list of the page whose rows hold IP addresses in two columns, for a page in
   * a language without labels (its columns are then found by what they hold:
   * docs/salesforce-dom.md, "Labels by language").
   */
  function ipList(doc) {
    const hits = [];
    for (const table of doc.querySelectorAll('table.list')) {
      const row = table.querySelector('tr.dataRow');
      if (!row || row.querySelector(NO_ROWS)) continue;
      const cells = [...row.children].map((c) => dom.norm(c.textContent));
      if (cells.filter((c) => IP.test(c)).length >= 2) hits.push(table);
    }
    if (hits.length !== 1) return null;
    const block = hits[0].closest('.bPageBlock');
    const h = block && block.querySelector('.pbTitle h3, .pbTitle h2');
    return { block: block || hits[0], table: hits[0], title: h ? dom.norm(h.textContent) : '', structural: true };
  }

  function detect(doc) {
    if (!classic.isClassic(doc)) return false;
    const lang = L.pageLang(doc);
    for (const [field, spec] of Object.entries(LISTS)) {
      if (spec.path.test(location.pathname) || findList(doc, field, lang)) return true;
    }
    return false;
  }

  /** Reads one list: {control, label, value} or {reason}. */
  function readList(found, field, lang) {
    const name = classic.labelsOf(field, lang)[0];
    if (!found) return { reason: `no "${name}" list on this page (renamed or removed by a Salesforce release?)` };
    const { block, table, title } = found;
    if (!table) return { reason: `found "${title}", but not its table`, label: title };
    const base = { control: table, label: title || name };
    if (block.querySelector(MORE)) return { ...base, reason: `"${title}" shows only some of its rows; open the full list` };
    const header = table.querySelector('tr.headerRow');
    const heads = header ? [...header.children].map((th) => classic.labelKey(th.textContent)) : [];
    let si = heads.findIndex((h) => keys(L.of('columns', 'start', lang)).includes(h));
    let ei = heads.findIndex((h) => keys(L.of('columns', 'end', lang)).includes(h));
    if ((si < 0 || ei < 0) && found.structural) {
      // No column title known: the first two columns holding addresses, start before end.
      const first = table.querySelector('tr.dataRow');
      const ipCols = [...first.children].map((c, i) => (IP.test(dom.norm(c.textContent)) ? i : -1)).filter((i) => i >= 0);
      [si, ei] = ipCols;
    }
    if (si < 0 || ei < 0) return { ...base, reason: `"${title}" has no "${L.of('columns', 'start', lang)[0]}"/"${L.of('columns', 'end', lang)[0]}" columns` };
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
    const lang = L.pageLang(doc);
    let byLabel = false;
    for (const [field, spec] of Object.entries(LISTS)) {
      const onItsPage = spec.path.test(location.pathname);
      let found = findList(doc, field, lang);
      if (found) byLabel = true;
      // In a language without labels, on the list's own page: the list of addresses.
      if (!found && onItsPage && !L.known(lang)) found = ipList(doc);
      const r = readList(found, field, lang);
      // A list that is not on this page and not expected here is simply not on this surface.
      if (!r.control && !onItsPage) continue;
      c.value(field, r, r.reason ? null : r.value);
    }
    const unknown = classic.unknownLang(doc, byLabel);
    if (unknown) {
      c.snapshot.labelsUnknown = unknown;
      // What the labels-unknown warning covers is not also "could not read".
      c.snapshot.unreadable = c.snapshot.unreadable.filter((u) => !/^no "/.test(u.reason));
    }
    return c.result();
  }

  g.readers.push({ id: 'network-access', detect, read, path: { test: (p) => Object.values(LISTS).some((s) => s.path.test(p)) } });
})();
