import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process, served at GET /metrics on the ops listener (@ytm/http listenOps). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'ytm_http_request_duration_seconds',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const graphqlOperationDuration = new Histogram({
  name: 'ytm_graphql_operation_duration_seconds',
  help: 'GraphQL operations by operation name, type and outcome',
  labelNames: ['operation', 'type', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** A gauge read at scrape time (outbox backlog, consumer lag, scan progress, subscribers). */
export function gaugeFrom(name: string, help: string, read: () => number | Promise<number>): Gauge {
  // Registered once per name: a second registration (tests build several services in one process) reuses it.
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) metricsRegistry.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    async collect() {
      try {
        this.set(await read());
      } catch {
        // the source is unavailable (store or broker down); keep the last value
      }
    },
  });
}

export function counter(name: string, help: string, labelNames: string[] = []): Counter {
  return new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

/** Per-label gauge values kept in memory (e.g. consumer lag by group and topic). */
export function labelledGauge(name: string, help: string, labelNames: string[]): Gauge {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Gauge;
  return new Gauge({ name, help, labelNames, registers: [metricsRegistry] });
}
