// One line per figure for the table `./build.sh bench` prints at its end (build.sh bench_table):
// `BENCH<TAB>figure<TAB>measured<TAB>target<TAB>reference<TAB>verdict`. Every bench step prints
// its human lines as before and these beside them; build.sh collects them from its own output.
import { readFileSync } from 'node:fs';

const clean = (s) => String(s).replace(/[\t\n]+/g, ' ').trim();

/** Prints one figure's line. `verdict`: 'met', 'missed' or '—' (no target). */
export function bench(figure, measured, target, reference, verdict) {
  console.log(['BENCH', figure, measured, target, reference, verdict].map(clean).join('\t'));
}

/** The machine's 1-minute load average now (/proc/loadavg), to print next to figures. */
export function loadavg() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  } catch (_) {
    return '?';
  }
}
