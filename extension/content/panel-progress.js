// ECA Guard content script, before paint.js: the page panel's progress line, "4 of 9 fixed".
//
// Of the errors and warnings seen on this page since it was loaded, how many are gone now. A
// finding is known by its rule and its setting; two of the same at once (two extra scopes, two
// callback lines) count twice. The page's first check counts at once; a finding that comes later
// counts once it has stayed `SETTLE_MS` unchanged, so the findings of a half-typed URL, gone at
// the next keystroke, never count (until then it is in the total shown, not in what is kept). Deviations and notes are not things to fix and never count. A
// page that is left (the form goes away) starts again at zero.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;

  const SETTLE_MS = 1500;
  const seen = new Map(); // rule + field → the most seen at once, among counted results
  let now = new Map(); // the same, in the latest result
  let timer = 0;
  let first = true;

  /** Takes the latest result; `onSettle()` runs when a later result's findings start to count. */
  function track(result, onSettle) {
    now = new Map();
    for (const f of result ? result.findings : []) {
      if (f.severity !== 'error' && f.severity !== 'warning') continue;
      const k = `${f.rule}\n${f.field || ''}`;
      now.set(k, (now.get(k) || 0) + 1);
    }
    const merge = () => {
      for (const [k, n] of now) seen.set(k, Math.max(seen.get(k) || 0, n));
    };
    clearTimeout(timer);
    if (first) {
      first = false;
      merge();
    } else {
      timer = setTimeout(() => (merge(), onSettle && onSettle()), SETTLE_MS);
    }
  }

  /** {total, fixed}: how many counted (and, until they count, those of the latest result), and
   * how many of the counted ones are gone. */
  function counts() {
    let total = 0;
    let fixed = 0;
    for (const k of new Set([...seen.keys(), ...now.keys()])) {
      const was = seen.get(k) || 0;
      const is = now.get(k) || 0;
      total += Math.max(was, is);
      fixed += Math.max(0, was - is);
    }
    return { total, fixed };
  }

  function reset() {
    clearTimeout(timer);
    seen.clear();
    now = new Map();
    first = true;
  }

  g.panelProgress = { track, counts, reset, SETTLE_MS };
})();
