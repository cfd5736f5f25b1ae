// Answers a content script's check message (`{snapshot}`) with `{ok, result}`. The org's notes go
// into the result; the org memory and the action badge are updated after the reply (org.js), so
// a keystroke's highlight never waits for storage or badge IPCs. What the evidence report needs
// of the check is kept too (report.js).
import '../protocol.js';
import { ready, timings } from './core.js';
import { settings } from './settings.js';
import { GuardError } from './errors.js';
import { afterCheck, afterClear } from './org.js';
import { forgetCheck, rememberCheck } from './report.js';

const { TYPES: T } = globalThis.ecaGuardProtocol;

async function check(msg, sender) {
  timings.checks++;
  if (!msg.snapshot || typeof msg.snapshot !== 'object') throw new GuardError('BadMessage', 'No page snapshot to check.');
  const [core, { config }] = await Promise.all([ready, settings()]);
  if (!config.pack) {
    afterClear(sender);
    throw new GuardError('NoPack', 'Choose the integration this app is for in ECA Guard\'s options.');
  }
  const result = core.check(msg.snapshot, config);
  afterCheck(core, sender, msg.snapshot, result);
  rememberCheck(sender, msg.snapshot, result).catch(() => {});
  if (timings.firstCheck === null) timings.firstCheck = performance.now();
  return { result };
}

export const handlers = {
  [T.check]: check,
  /** The page no longer shows a checked form. */
  [T.clear]: async (_msg, sender) => {
    afterClear(sender);
    if (sender.tab) forgetCheck(sender.tab.id, sender.frameId || 0).catch(() => {});
    return {};
  },
};
