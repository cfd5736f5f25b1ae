// The worker's error mapping (extension/worker/errors.js), under node: core errors keep their
// kind; a trap in the Wasm core (a Rust panic: the module is built with panic=immediate-abort)
// becomes kind CoreTrap with a message for the admin, never the trap's internals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toError, GuardError } from '../../extension/worker/errors.js';

// (module (func (export "f") unreachable)): what a panic compiles to with immediate-abort.
const TRAPS = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]);

test('a trap in the Wasm core is reported as CoreTrap', async (t) => {
  const { instance } = await WebAssembly.instantiate(TRAPS);
  let trap;
  try {
    instance.exports.f();
  } catch (e) {
    trap = e;
  }
  assert.ok(trap instanceof WebAssembly.RuntimeError, 'the test module must trap');
  const logged = t.mock.method(console, 'error', () => {});
  const e = toError(trap);
  assert.equal(e.kind, 'CoreTrap');
  assert.match(e.message, /stopped on an internal error/);
  assert.doesNotMatch(e.message, /unreachable/);
  assert.equal(logged.mock.callCount(), 1, 'the trap itself goes to the extension console');
});

test('core and worker errors keep their kind; anything else is Internal', (t) => {
  t.mock.method(console, 'error', () => {});
  assert.deepEqual(toError(new GuardError('NoPack', 'Choose the integration.')), { kind: 'NoPack', message: 'Choose the integration.' });
  assert.equal(toError(new TypeError('x is undefined')).kind, 'Internal');
});
