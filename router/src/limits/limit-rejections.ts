import { counter } from '@ytm/metrics';

/** The per-account and per-address limits (README "Connection and concurrency limits"). */
export type LimitName =
  'ws_connections_per_user' | 'ws_connections_per_address' | 'subscriptions_per_user' | 'http_concurrent_per_address' | 'media_concurrent_per_address';

const rejections = counter(
  'ytm_limit_rejections_total',
  'Connections, subscriptions and requests refused because a per-account or per-address limit was reached, by limit',
  ['limit'],
);

/** Counts one refusal in `ytm_limit_rejections_total{limit}`. */
export function countRejection(limit: LimitName): void {
  rejections.inc({ limit });
}
