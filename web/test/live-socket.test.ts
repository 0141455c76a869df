import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '../src/features/auth/session';

/** A stand-in for the browser's WebSocket: the test plays the router's side. */
class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static sockets: FakeWebSocket[] = [];
  readyState = 0;
  sent: Array<{ type: string }> = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  private closeHandler: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  get onclose() {
    return this.closeHandler;
  }
  set onclose(h) {
    this.closeHandler = h;
  }
  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeWebSocket.sockets.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as { type: string });
  }
  close(code = 1000, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: true });
  }
  // the router's side
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

class FakeCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(_type: string, init: { code: number; reason: string; wasClean: boolean }) {
    ({ code: this.code, reason: this.reason, wasClean: this.wasClean } = init);
  }
}

const session = {
  current: { status: 'signedIn' },
  token: async () => 'at-1',
  refresh: async () => 'at-2',
} as unknown as Session;

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.sockets = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal('CloseEvent', FakeCloseEvent);
  vi.stubGlobal('location', { protocol: 'http:', host: 'ytm.test' });
  vi.stubGlobal('addEventListener', () => undefined);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** The live socket connected (connection_init answered) with one subscription open. */
async function connected() {
  const { createLiveSocket, liveSocket } = await import('../src/app/live-socket');
  const client = createLiveSocket(session, () => undefined);
  const sink = { next: vi.fn(), error: vi.fn(), complete: vi.fn() };
  client.subscribe({ query: 'subscription { libraryChanged { kind } }' }, sink);
  await vi.advanceTimersByTimeAsync(0);
  const ws = FakeWebSocket.sockets.at(-1)!;
  ws.open();
  await vi.advanceTimersByTimeAsync(0);
  expect(ws.sent[0]?.type).toBe('connection_init');
  ws.receive({ type: 'connection_ack' });
  await vi.advanceTimersByTimeAsync(0);
  expect(liveSocket.state).toBe('open');
  return { client, sink, ws, liveSocket };
}

describe('live socket: close codes the router uses to mean "come back"', () => {
  it('4429 (a slow consumer closed by the router) reconnects with a back-off instead of ending live updates', async () => {
    const { sink, ws, liveSocket } = await connected();
    ws.close(4429, 'Slow consumer');
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.error).not.toHaveBeenCalled();
    expect(liveSocket.state).toBe('closed');
    expect(FakeWebSocket.sockets.length).toBe(1); // not at once: after a back-off
    await vi.advanceTimersByTimeAsync(15_000);
    expect(FakeWebSocket.sockets.length).toBe(2);
    const again = FakeWebSocket.sockets[1]!;
    again.open();
    await vi.advanceTimersByTimeAsync(0);
    again.receive({ type: 'connection_ack' });
    await vi.advanceTimersByTimeAsync(0);
    expect(liveSocket.state).toBe('open');
    expect(again.sent.map((m) => m.type)).toEqual(['connection_init', 'subscribe']); // resubscribed
  });

  it('4401 (token expired) reconnects too, with a refreshed token', async () => {
    const { sink, ws } = await connected();
    ws.close(4401, 'Token expired');
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sink.error).not.toHaveBeenCalled();
    expect(FakeWebSocket.sockets.length).toBe(2);
  });
});
