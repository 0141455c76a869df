import { waitFor } from '@ytm/testing';

/**
 * What a service's ops listener (loopback only) shows, for tests that wait on observable state
 * instead of sleeping.
 */

/** The router's live GraphQL subscriptions (its /health `subscribers`). */
export async function subscriberCount(opsUrl: string): Promise<number> {
  const body = (await (await fetch(`${opsUrl}/health`)).json()) as { subscribers?: number };
  return body.subscribers ?? 0;
}

/** Waits until the router at `opsUrl` holds exactly `count` live subscriptions. */
export async function waitForSubscribers(opsUrl: string, count: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (await subscriberCount(opsUrl)) === count, timeoutMs, 50, `${count} subscriptions on ${opsUrl}`);
}

/** The series of metric `name` on a service's /metrics: each one's labels (`k="v"`) and value. */
async function seriesOf(opsUrl: string, name: string): Promise<Array<{ labels: string[]; value: number }>> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const out: Array<{ labels: string[]; value: number }> = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match && match[1] === name) out.push({ labels: (match[2] ?? '').split(',').filter(Boolean), value: Number(match[3]) });
  }
  return out;
}

const labelList = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`);

/** A counter's or gauge's value on /metrics, for the series with exactly these labels (0 when absent). */
export async function metricValue(opsUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const wanted = labelList(labels).sort().join(',');
  return (await seriesOf(opsUrl, name)).find((s) => [...s.labels].sort().join(',') === wanted)?.value ?? 0;
}

/** The sum of a counter's series on /metrics whose labels include all of `labels` (0 when none). */
export async function metricSum(opsUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const wanted = labelList(labels);
  return (await seriesOf(opsUrl, name)).filter((s) => wanted.every((w) => s.labels.includes(w))).reduce((sum, s) => sum + s.value, 0);
}
