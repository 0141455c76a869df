import type { Logger } from '@ytm/logger';
import { toGrpcError } from '@ytm/proto';

/** Runs a unary handler's work and answers its callback: the value, or the error as a gRPC status (unexpected ones logged). */
export function answerer(logger: Logger) {
  return <T>(name: string, work: () => Promise<T>, callback: (err: object | null, value?: T) => void): void => {
    work().then(
      (value) => callback(null, value),
      (err: unknown) => callback(toGrpcError(err, (e) => logger.error({ err: e }, `${name} failed`))),
    );
  };
}
