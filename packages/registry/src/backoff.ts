export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with full jitter
 * in the upper half so a fleet restarted together does not hammer the router in step.
 */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
