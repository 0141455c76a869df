// What the store benchmarks of bench/scale share: the load average, timing one call, percentiles.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** The 1, 5 and 15 minute load averages, e.g. "1.3 1.4 1.9". */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** p50, p95 and max of durations (ms). */
export function percentiles(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), max: s.at(-1) };
}

/** How long `fn` took (ms). */
export async function timed(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
