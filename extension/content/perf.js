// ECA Guard content script, between paint.js and main.js: counts and times the content script's
// own work (reader detect/read, paint) in this frame, so the bench can show what a page load
// costs and that an idle page costs nothing (tests/e2e/bench-classic.mjs reads `ecaGuard.perf`
// from the content-script world). Two performance.now() calls per call; no entries are kept.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  if (g.perf) return; // injected twice
  const perf = (g.perf = { detect: { n: 0, ms: 0 }, read: { n: 0, ms: 0 }, paint: { n: 0, ms: 0 }, idle: { n: 0, ms: 0 } });
  function wrap(obj, name, bucket) {
    const f = obj[name];
    if (typeof f !== 'function') return;
    obj[name] = function timed(...args) {
      const t = performance.now();
      try {
        return f.apply(this, args);
      } finally {
        perf[bucket].n++;
        perf[bucket].ms += performance.now() - t;
      }
    };
  }
  for (const r of g.readers) {
    wrap(r, 'detect', 'detect');
    wrap(r, 'read', 'read');
  }
  wrap(g.paint, 'paint', 'paint');
  wrap(g.paint, 'clear', 'paint');
  wrap(g.paint, 'renderIdle', 'idle'); // the panel UI that waits until the page is idle (paint.js)
  wrap(g.marks, 'describeAll', 'idle'); // the marked inputs' descriptions, right after the marks (marks.js)
  wrap(g.panelLayout, 'place', 'idle'); // placing the panel (panel-layout.js; its own later refits are not counted)
})();
