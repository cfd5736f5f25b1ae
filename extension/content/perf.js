// ECA Guard content script, between paint.js and main.js: counts and times the content script's
// own work (reader detect/read, paint) in this frame, so the bench can show what a page load
// costs and that an idle page costs nothing (tests/e2e/bench-classic.mjs reads `ecaGuard.perf`
// from the content-script world). Two performance.now() calls per call; no entries are kept.
// `ecaGuard.perf` itself is content/detect.js's, which counts its own probes there too.
(() => {
  'use strict';
  const g = globalThis.ecaGuard;
  if (g.perfWrapped) return; // injected twice
  g.perfWrapped = true;
  const perf = g.perf;
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
