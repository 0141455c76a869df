import { createClient, StreamClient, unaryCall, type CallerCredentials } from '@ytm/proto';
import type { Logger } from '@ytm/logger';
import type { PlaybackRevoker } from '../domain/ports.js';

/**
 * Asks ytm-stream to revoke playback tickets. Signing out must not fail because stream is
 * down, so failures are logged; tickets still expire on their own within minutes.
 */
export function streamPlaybackRevoker(address: string, caller: CallerCredentials, logger: Logger, deadlineMs = 1_000): PlaybackRevoker & { close(): void } {
  const client = createClient(StreamClient, address, caller);
  return {
    async revoke(userId, sessionId) {
      try {
        await unaryCall(client.revokeTickets.bind(client), { userId, ...(sessionId ? { sessionId } : {}) }, { deadlineMs });
      } catch (err) {
        logger.warn({ err: (err as Error).message, userId }, 'could not revoke playback tickets');
      }
    },
    close: () => client.close(),
  };
}
