// @ytm/proto: the generated gRPC contracts (from /proto, via `npm run gen:proto`)
// plus the few helpers every service needs to serve and call them.
//
// For each service: `<Name>Service` is the definition for `server.addService`,
// `<Name>Server` the handler interface, `<Name>Client` the client constructor and type.
// Each message is both a TypeScript type and its codec (`encode`, `decode`, `fromPartial`).

export {
  RegistryClient,
  RegistryService,
  RegisterRequest,
  RegisterResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  DeregisterRequest,
  DeregisterResponse,
} from './gen/ytm/registry/v1/registry.js';
export type { RegistryServer } from './gen/ytm/registry/v1/registry.js';

export {
  LibraryClient,
  LibraryService,
  GetTrackFileRequest,
  TrackFile,
  BatchGetTracksRequest,
  BatchGetTracksResponse,
  TrackSummary,
} from './gen/ytm/library/v1/library.js';
export type { LibraryServer } from './gen/ytm/library/v1/library.js';

export { StreamClient, StreamService, RevokeTicketsRequest, RevokeTicketsResponse } from './gen/ytm/stream/v1/stream.js';
export type { StreamServer } from './gen/ytm/stream/v1/stream.js';

export {
  ResourceClient,
  ResourceService,
  GetUserRequest,
  User as ResourceUser,
  AuthenticateApiKeyRequest,
  VerifyPasswordRequest,
  Principal,
  Annotation,
  Annotations,
  PlayQueue,
} from './gen/ytm/resource/v1/resource.js';
export type { ResourceServer } from './gen/ytm/resource/v1/resource.js';

export {
  HealthClient,
  HealthService,
  HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from './gen/grpc/health/v1/health.js';
export type { HealthServer } from './gen/grpc/health/v1/health.js';

/** Fully qualified service names, as the health service and grpcurl know them. */
export const SERVICE_NAMES = {
  registry: 'ytm.registry.v1.Registry',
  library: 'ytm.library.v1.Library',
  stream: 'ytm.stream.v1.Stream',
  resource: 'ytm.resource.v1.Resource',
} as const;

export { createGrpcServer, listen, closeServer, callerOf, type GrpcServer, type GrpcServerOptions, type CallGuard, type Admission } from './grpc-server.js';
export { HealthStatus, type HealthStatusName } from './health.grpc-server.js';
export { withDeadline, unaryCall, createClient, type UnaryCallOptions, type CallerCredentials } from './client.js';
export { grpcStatusFromCode, codeFromGrpcStatus, toGrpcError, fromGrpcError, isServiceError, ERROR_CODE_TRAILER, type RemoteError } from './error-status.js';

// Re-exported so workspaces need no direct @grpc/grpc-js imports for everyday handler code.
export { Metadata, status } from '@grpc/grpc-js';
export type { Server, ServiceError, ServerUnaryCall, sendUnaryData, handleUnaryCall, CallOptions, Client, ClientOptions, ServerOptions } from '@grpc/grpc-js';
