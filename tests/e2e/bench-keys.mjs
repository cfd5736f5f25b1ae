// Page-world snippets the browser benches share (bench-browser.mjs, bench-limits.mjs): find the
// New ECA form's Callback URL field, and type one keystroke into it timed until its mark changes.

/** Runs in a page world: the Callback URL field's host and textarea, open shadow roots too. */
export const FIND_CALLBACK = `(() => {
  const deep = (root, sel) => {
    const walk = (r) => r.querySelector(sel) || [...r.querySelectorAll('*')].map((e) => e.shadowRoot && walk(e.shadowRoot)).find(Boolean);
    return walk(root);
  };
  const host = [...(function* all(r) {
    for (const e of r.querySelectorAll('*')) { yield e; if (e.shadowRoot) yield* all(e.shadowRoot); }
  })(document)].find((e) => e.localName === 'lightning-textarea' && /Callback URL/.test((e.shadowRoot || e).textContent));
  return { host, ta: deep(host.shadowRoot || host, 'textarea') };
})()`;

/** Runs in a page world: one keystroke (alternately adding and removing a trailing slash, which
 * flips the host's data-eca-guard-rules), resolving to the ms until the mark changed. */
export const KEYSTROKE = `(host, ta, i) => {
  const rules = () => host.getAttribute('data-eca-guard-rules') || '';
  const slash = i % 2 === 0;
  const before = rules();
  const done = new Promise((resolve) => {
    const mo = new MutationObserver(() => {
      if (rules() !== before) { mo.disconnect(); resolve(performance.now()); }
    });
    mo.observe(host, { attributes: true });
  });
  ta.value = slash ? 'https://veeam.acme.internal/' : 'https://veeam.acme.internal';
  const t = performance.now();
  ta.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: slash ? '/' : null }));
  return Promise.race([done, new Promise((r) => setTimeout(() => r(null), 2000))]).then((end) => {
    if (end === null) throw new Error('no highlight change within 2 s at keystroke ' + i);
    return end - t;
  });
}`;
