// Errors that cross to the content script or the options page: `{kind, message}`. Core errors
// are JS Errors named "EcaGuardError" with a `kind` (src/wasm.rs); ours use the same shape.

export class GuardError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'EcaGuardError';
    this.kind = kind;
  }
}

export function toError(e) {
  if (e && e.name === 'EcaGuardError') return { kind: e.kind || 'Internal', ...(e.variant ? { variant: e.variant } : {}), message: e.message };
  // The Rust core's panic hook: the Wasm build aborts at once on a panic (build.sh), which JS
  // sees as a trap. It is a defect in the core, never the user's input; say which.
  if (e instanceof WebAssembly.RuntimeError) {
    console.error('ECA Guard core stopped on an internal error (a Rust panic):', e);
    return { kind: 'CoreTrap', message: 'ECA Guard\'s checker stopped on an internal error; see the extension console.' };
  }
  // Anything else is a defect in the extension; say so without dumping internals to the page.
  console.error('ECA Guard internal error:', e);
  return { kind: 'Internal', message: 'ECA Guard hit an internal error; see the extension console.' };
}
