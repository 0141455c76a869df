import { currentTraceparent } from '@ytm/trace';
import {
  credentials,
  type Client,
  InterceptingCall,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ClientOptions,
  type ClientUnaryCall,
  type Interceptor,
  type ServiceError,
} from '@grpc/grpc-js';

/** Call options whose deadline is `ms` from now; build a fresh one per call. */
export function withDeadline(ms: number): Partial<CallOptions> {
  return { deadline: new Date(Date.now() + ms) };
}

/** The full-arity overload every generated client method has. */
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface UnaryCallOptions {
  /** Required: no call in this project waits without a deadline. */
  deadlineMs: number;
  metadata?: Metadata;
  /** Cancels the call (it then rejects with CANCELLED). */
  signal?: AbortSignal;
  /**
   * Wait for a connection until the deadline (default true). False fails the call at once with
   * UNAVAILABLE while the peer cannot be reached: for a caller that has its own retry loop.
   */
  waitForReady?: boolean;
}

/**
 * Promise form of a unary call, always with a deadline:
 * `await unaryCall(client.getTrackFile.bind(client), { trackId }, { deadlineMs: 500 })`.
 * Rejects with the grpc-js ServiceError; read it with `fromGrpcError`.
 *
 * The call waits for a connection until its deadline (gRPC wait-for-ready): a peer restarting, a
 * name lookup retried after a lost DNS answer or a reconnect in backoff delays the call instead of
 * failing it at once with UNAVAILABLE. A peer that is down still fails the call at its deadline.
 * (`waitForReady: false` fails at once instead.)
 */
export function unaryCall<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: UnaryCallOptions): Promise<Res> {
  return new Promise((resolve, reject) => {
    const metadata = options.metadata ?? new Metadata();
    metadata.setOptions({ ...metadata.getOptions(), waitForReady: options.waitForReady ?? true });
    const traceparent = currentTraceparent();
    if (traceparent && metadata.get('traceparent').length === 0) metadata.set('traceparent', traceparent);
    const call = method(request, metadata, withDeadline(options.deadlineMs), (err, response) => {
      options.signal?.removeEventListener('abort', cancel);
      if (err) reject(err);
      else resolve(response);
    });
    function cancel(): void {
      call.cancel();
    }
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener('abort', cancel, { once: true });
  });
}

type ClientConstructor<C extends Client> = new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>) => C;

/** Who is calling: the `authorization` value for a call to `method` (`/pkg.Service/Method`), none for public methods. */
export interface CallerCredentials {
  authorizationFor(method: string): string | undefined;
}

/**
 * A plaintext client (private network) whose every call carries the caller's credentials and
 * that reconnects within seconds after its peer restarts or first appears; grpc-js would otherwise
 * back off for up to two minutes, and look a name up again at most every 30 s (a service started
 * before the router's container had a DNS name registered 30–50 s late in compose). It starts
 * looking its peer up and connecting at once, so the first call (a listener's first playback)
 * does not pay for the lookup and the connection, nor fail because a DNS answer was lost then.
 */
export function createClient<C extends Client>(
  Client: ClientConstructor<C>,
  address: string,
  caller: CallerCredentials,
  options: Partial<ClientOptions> = {},
): C {
  const authenticate: Interceptor = (callOptions, nextCall) =>
    new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        const authorization = caller.authorizationFor(callOptions.method_definition.path);
        if (authorization !== undefined) metadata.set('authorization', authorization);
        next(metadata, listener);
      },
    });
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 5_000,
    'grpc.dns_min_time_between_resolutions_ms': 1_000,
    ...options,
    interceptors: [authenticate, ...(options.interceptors ?? [])],
  });
  client.getChannel().getConnectivityState(true);
  return client;
}
