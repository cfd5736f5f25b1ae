// ECA Guard content script, before paint.js: the page panel's style sheet, light and dark
// (prefers-color-scheme). paint.js adopts it into the panel's closed shadow root, so Setup's CSS
// cannot reach the panel and this cannot leak into Setup. Where it sits is set by
// panel-layout.js (`:host` left and top, the card's width and height) in a sheet of its own.
// Colours: text against its background at a contrast of at least 4.5:1 in both schemes
// (tests/e2e/panel.test.mjs computes it).
(() => {
  'use strict';
  const g = globalThis.ecaGuard;

  const CSS = `
:host { all: initial; position: fixed; left: -10000px; top: 0; z-index: 2147483000;
  will-change: transform; contain: layout style;
  --bg: #fff; --fg: #181818; --muted: #444; --line: #e5e5e5; --edge: #c9c9c9; --head: #f3f3f3;
  --hover: #f3f9ff; --link: #0b5cab; --fix: #2e6b3f; --focus: #0176d3;
  --error: #ba0517; --warning: #a04b00; --deviation: #0b5cab; --info: #5c5c5c;
  --pill-error: #ba0517; --pill-warning: #a04b00; --pill-deviation: #0b5cab; --pill-ok: #2e844a; --pill-fg: #fff;
  font: 13px/1.45 "Salesforce Sans", -apple-system, "Segoe UI", Arial, sans-serif; color: var(--fg); }
@media (prefers-color-scheme: dark) {
  :host { --bg: #1c1f24; --fg: #eceef1; --muted: #b9bec6; --line: #333941; --edge: #4a515c; --head: #262a31;
    --hover: #24313f; --link: #8cc4ff; --fix: #7fd69a; --focus: #8cc4ff;
    --error: #ff8b80; --warning: #ffbf66; --deviation: #8cc4ff; --info: #b9bec6;
    --pill-error: #8e0a15; --pill-warning: #7a3a00; --pill-deviation: #0a4a8c; --pill-ok: #1f6b38; --pill-fg: #fff; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
button { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
.card { display: flex; flex-direction: column; max-height: calc(100vh - 16px); background: var(--bg); color: var(--fg);
  border: 1px solid var(--edge); border-radius: .25rem; box-shadow: 0 2px 8px rgba(0,0,0,.25); overflow: hidden; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .5rem; padding: .5rem .75rem; background: var(--head);
  border-bottom: 1px solid var(--line); }
h2 { margin: 0; font-size: 14px; font-weight: 700; flex: 1 1 8rem; min-width: 0; }
h2 .pack { display: block; font-weight: 400; font-size: 12px; color: var(--muted); }
.counts { display: flex; flex-wrap: wrap; gap: .25rem; }
.pill { border-radius: 1rem; padding: 0 .5rem; font-size: 12px; font-weight: 700; color: var(--pill-fg); background: var(--pill-ok); white-space: nowrap; }
.pill.error { background: var(--pill-error); } .pill.warning { background: var(--pill-warning); }
.pill.deviation { background: var(--pill-deviation); }
.tools { display: flex; gap: .25rem; margin-left: auto; }
.tools button { border: 1px solid var(--edge); background: var(--bg); color: var(--link); border-radius: .25rem; cursor: pointer;
  padding: 0 .5rem; line-height: 1.6; }
.exports:empty, .exports[hidden] { display: none; }
.exports { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem; flex-basis: 100%; font-size: 12px; }
.exports button { font: inherit; border: 1px solid var(--edge); background: var(--bg); color: var(--link); border-radius: .25rem;
  cursor: pointer; padding: 0 .5rem; line-height: 1.6; }
.exports .export-group { display: inline-flex; flex-wrap: wrap; align-items: center; gap: .25rem; }
.exports .export-menu:not([hidden]) { display: inline-flex; gap: .25rem; }
.exports .export-status { color: var(--muted); } .exports .export-status.bad { color: var(--error); }
.progress { padding: .25rem .75rem; font-size: 12px; color: var(--muted); border-bottom: 1px solid var(--line); }
.progress b { color: var(--fix); }
.overlay-note { padding: .25rem .75rem; font-size: 12px; color: var(--muted); background: var(--head); border-bottom: 1px solid var(--line); }
.msg { padding: .5rem .75rem; font-size: 12px; color: var(--error); }
.body { overflow: auto; flex: 1 1 auto; min-height: 0; }
.group { border-bottom: 1px solid var(--line); }
.group h3 { margin: 0; padding: .5rem .75rem 0; font-size: 13px; font-weight: 700; overflow-wrap: anywhere; }
ul { list-style: none; margin: 0; padding: 0 0 .25rem; }
li.finding { margin: .25rem .5rem; padding: .125rem 0 .25rem .5rem; border-left: 4px solid var(--info); }
li.error { border-left-color: var(--error); } li.warning { border-left-color: var(--warning); }
li.deviation { border-left-color: var(--deviation); }
button.go { display: block; width: 100%; text-align: left; background: none; border: 0; padding: .125rem .25rem; margin: 0;
  cursor: pointer; border-radius: .25rem; }
button.go:hover { background: var(--hover); }
.sev { text-transform: uppercase; font-size: 11px; font-weight: 700; margin-right: .25rem; }
li.error .sev { color: var(--error); } li.warning .sev { color: var(--warning); }
li.deviation .sev { color: var(--deviation); } li.info .sev { color: var(--info); }
.fix, .src { margin: .125rem .25rem 0; font-size: 12px; }
.fix b { color: var(--fix); }
a { color: var(--link); font-size: 12px; }
details.notes { padding: .25rem .75rem .5rem; font-size: 12px; color: var(--muted); }
details.notes summary { cursor: pointer; font-weight: 700; color: var(--fg); padding: .25rem 0; }
details.notes li { margin: .25rem 0; }
details.notes li.finding { margin-left: 0; }
.chip { display: flex; align-items: center; gap: .375rem; padding: .25rem .5rem .25rem .625rem; background: var(--bg); color: var(--fg);
  border: 1px solid var(--edge); border-radius: 1rem; box-shadow: 0 1px 4px rgba(0,0,0,.25); cursor: pointer;
  font-weight: 700; white-space: nowrap; }
.chip .pill { font-size: 11px; }
`;

  g.panelStyle = { CSS };
})();
