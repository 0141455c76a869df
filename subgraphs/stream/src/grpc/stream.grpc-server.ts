import type { Logger } from '@ytm/logger';
import { toGrpcError, type StreamServer } from '@ytm/proto';
import { BadUserInputError } from '@ytm/errors';
import type { PlaybackService } from '../domain/playback.service.js';

/** The `Stream` gRPC service: resource revokes tickets on signOut and plan downgrades. */
export function streamGrpcServer(playback: PlaybackService, logger: Logger): StreamServer {
  return {
    revokeTickets: (call, callback) => {
      const { userId, sessionId } = call.request;
      void (async () => {
        if (!userId) throw new BadUserInputError('user_id is required', 'user_id');
        const revoked = await playback.revokeTickets(userId, sessionId || undefined);
        logger.info({ userId, revoked, bySession: Boolean(sessionId) }, 'tickets revoked');
        return revoked;
      })().then(
        (revoked) => callback(null, { revoked }),
        (err: unknown) => callback(toGrpcError(err, (e) => logger.error({ err: e }, 'RevokeTickets failed'))),
      );
    },
  };
}
