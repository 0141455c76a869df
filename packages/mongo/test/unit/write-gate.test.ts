import { afterEach, describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { isUnavailableError } from '@ytm/errors';
import { isSeekWrite, StoreBusyError, WriteGate } from '../../src/write-gate.js';

afterEach(() => {
  jest.useRealTimers();
});

/** An operation that runs until `finish()` is called, and records when it started. */
function held(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<string>((resolve) => (finish = () => resolve(name)));
  return {
    op: () => {
      started.push(name);
      return done;
    },
    finish: () => finish(),
  };
}

it('runs at most `limit` operations at once and starts the rest in arrival order', async () => {
  const gate = new WriteGate(2, 10_000);
  const started: string[] = [];
  const ops = ['a', 'b', 'c', 'd', 'e'].map((n) => held(started, n));
  const results = ops.map((o) => gate.run(o.op));
  await Promise.resolve();
  expect(started).toEqual(['a', 'b']);
  expect(gate.queued).toBe(3);
  ops[1]!.finish();
  await results[1];
  await Promise.resolve();
  expect(started).toEqual(['a', 'b', 'c']);
  ops[0]!.finish();
  ops[2]!.finish();
  await Promise.all([results[0], results[2]]);
  await Promise.resolve();
  expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
  ops[3]!.finish();
  ops[4]!.finish();
  expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(gate.queued).toBe(0);
});

it('gives the slot back when an operation fails', async () => {
  const gate = new WriteGate(1, 10_000);
  await expect(gate.run(() => Promise.reject(new Error('duplicate key')))).rejects.toThrow('duplicate key');
  await expect(gate.run(async () => 'next')).resolves.toBe('next');
});

it('fails a write that waited maxWaitMs with StoreBusyError (answered as unavailable), runs nothing of it, and keeps the others in order', async () => {
  jest.useFakeTimers();
  let refused = 0;
  const gate = new WriteGate(1, 3_000, () => refused++);
  const started: string[] = [];
  const first = held(started, 'first');
  const running = gate.run(first.op);
  const late = gate.run(held(started, 'late').op);
  jest.advanceTimersByTime(1_000);
  const second = held(started, 'second');
  const queuedLater = gate.run(second.op);
  jest.advanceTimersByTime(2_000);
  const err = await late.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StoreBusyError);
  expect(isUnavailableError(err)).toBe(true);
  expect(refused).toBe(1);
  expect(gate.queued).toBe(1);
  first.finish();
  await running;
  await Promise.resolve();
  expect(started).toEqual(['first', 'second']);
  second.finish();
  await expect(queuedLater).resolves.toBe('second');
});

it('refuses a limit below 1', () => {
  expect(() => new WriteGate(0, 1_000)).toThrow(RangeError);
});

describe('isSeekWrite: the writes the gate holds', () => {
  it('holds inserts and writes of one document by _id', () => {
    expect(isSeekWrite('insertOne', [{ a: 1 }])).toBe(true);
    expect(isSeekWrite('updateOne', [{ _id: 'u1' }, { $set: { a: 1 } }])).toBe(true);
    expect(isSeekWrite('findOneAndUpdate', [{ _id: new mongoose.Types.ObjectId() }, { $set: { a: 1 } }])).toBe(true);
    expect(isSeekWrite('deleteOne', [{ _id: 7 }])).toBe(true);
    expect(
      isSeekWrite('bulkWrite', [
        [{ insertOne: { document: {} } }, { updateOne: { filter: { _id: 'a' }, update: {} } }, { deleteOne: { filter: { _id: 'b' } } }],
      ]),
    ).toBe(true);
  });

  it('lets writes that make FerretDB read the collection go straight through', () => {
    expect(isSeekWrite('deleteMany', [{ at: { $lt: new Date() } }])).toBe(false);
    expect(isSeekWrite('deleteMany', [{ _id: { $in: ['a', 'b'] } }])).toBe(false);
    expect(isSeekWrite('updateOne', [{ _id: 'u1', deleted: false }, { $set: { a: 1 } }])).toBe(false);
    expect(isSeekWrite('updateMany', [{}, { $set: { a: 1 } }])).toBe(false);
    expect(isSeekWrite('bulkWrite', [[{ insertOne: { document: {} } }, { updateMany: { filter: { _id: 'a' }, update: {} } }]])).toBe(false);
    expect(isSeekWrite('bulkWrite', [[{ deleteOne: { filter: { owner: 'x' } } }]])).toBe(false);
  });
});
