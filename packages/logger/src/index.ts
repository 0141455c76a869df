import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentTrace } from '@ytm/trace';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'ticket',
  'privateKey',
  'apiKey',
  'secret',
  'cookie',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.ticket',
  '*.privateKey',
  '*.apiKey',
  '*.secret',
  '*.cookie',
  '*.*.authorization',
  '*.*.*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'variables.password',
  'variables.currentPassword',
  'variables.newPassword',
  'variables.refreshToken',
  'variables.input.password',
  'variables.input.apiKey',
];

export interface CreateLoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: NodeJS.WritableStream;
}

/** JSON logger with secrets redacted; one per process, children per request/event. */
export function createLogger({ name, level = 'info', destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    base: { service: name, pid: process.pid },
    // Every line logged while handling a request or event carries its W3C trace id.
    mixin: () => {
      const t = currentTrace();
      return t ? { traceId: t.traceId, spanId: t.spanId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
