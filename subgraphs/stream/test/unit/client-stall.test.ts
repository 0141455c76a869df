import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ClientStalledError, watchStall } from '../../src/http/client-stall.js';

/** The two things the watch reads of a response: bytes still buffered for the socket, and `drain`. */
function fakeResponse() {
  const res = Object.assign(new EventEmitter(), { writableLength: 0 });
  return { res, asResponse: res as unknown as ServerResponse };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('watchStall', () => {
  it('calls a stall once bytes waited the whole stall time with none taken (within a quarter more)', () => {
    const { res, asResponse } = fakeResponse();
    const stalls: Error[] = [];
    watchStall(asResponse, 1_000, (err) => stalls.push(err));
    jest.advanceTimersByTime(5_000);
    expect(stalls).toEqual([]); // nothing buffered: nothing waits on the client
    res.writableLength = 64 * 1024; // the socket's buffers are full
    jest.advanceTimersByTime(1_000);
    expect(stalls).toEqual([]);
    jest.advanceTimersByTime(250);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeInstanceOf(ClientStalledError);
    jest.advanceTimersByTime(10_000);
    expect(stalls).toHaveLength(1);
  });

  it('a slow reader that takes some bytes, or drains, keeps going; stopping the watch ends it', () => {
    const { res, asResponse } = fakeResponse();
    const stalls: Error[] = [];
    const stop = watchStall(asResponse, 1_000, (err) => stalls.push(err));
    res.writableLength = 256 * 1024;
    for (let i = 0; i < 20; i++) {
      jest.advanceTimersByTime(900);
      res.writableLength -= 1_000; // a few bytes now and then
    }
    for (let i = 0; i < 20; i++) {
      jest.advanceTimersByTime(900);
      res.emit('drain');
      res.writableLength += 64 * 1024; // refilled after each drain
    }
    expect(stalls).toEqual([]);
    stop();
    jest.advanceTimersByTime(60_000);
    expect(stalls).toEqual([]);
  });
});
