import { createGrpcServer, closeServer, LibraryService, listen, Metadata, status, type LibraryServer, type TrackFile } from '@ytm/proto';
import { testIdentity } from '@ytm/testing';

/**
 * A real gRPC LibraryService on an ephemeral port serving GetTrackFile from a map: stands in
 * for ytm-library in stream's integration tests (the e2e tier uses the real one).
 */
export async function startFakeLibrary(files: Map<string, TrackFile>): Promise<{ address: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const impl: LibraryServer = {
    getTrackFile: (call, callback) => {
      calls++;
      const file = files.get(call.request.trackId);
      if (file) return callback(null, file);
      const metadata = new Metadata();
      metadata.set('ytm-error-code', 'NOT_FOUND');
      callback({ code: status.NOT_FOUND, details: 'Track not found', metadata });
    },
    batchGetTracks: (_call, callback) => callback({ code: status.UNIMPLEMENTED, details: 'not in this fake' }),
  };
  // Guarded like the real library: only stream's identity may call GetTrackFile.
  const grpc = createGrpcServer({ guard: testIdentity('library').guard({ warn: () => undefined }) });
  grpc.server.addService(LibraryService, impl);
  const port = await listen(grpc.server, '127.0.0.1', 0);
  return { address: `127.0.0.1:${port}`, calls: () => calls, close: () => closeServer(grpc.server, 500) };
}
