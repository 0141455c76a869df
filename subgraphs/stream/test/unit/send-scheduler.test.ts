import { describe, expect, it } from '@jest/globals';
import { SendScheduler, type TurnTaker } from '../../src/http/send-scheduler.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A body that sends `chunk` bytes per turn and asks for the next turn at once, `turns` times. */
function body(name: string, log: string[], scheduler: SendScheduler, chunk: number, turns: number): TurnTaker {
  let left = turns;
  const self: TurnTaker = {
    takeTurn() {
      log.push(name);
      left--;
      if (left > 0) scheduler.ready(self);
      return chunk;
    },
  };
  return self;
}

describe('SendScheduler', () => {
  it('serves waiting bodies round robin, at most the byte budget per event-loop turn', async () => {
    const scheduler = new SendScheduler(3 * 64);
    const log: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) scheduler.ready(body(name, log, scheduler, 64, 2));
    expect(log).toEqual([]); // nothing before the loop's turn

    await nextTurn();
    expect(log).toEqual(['a', 'b', 'c']); // the budget is spent after three chunks
    await nextTurn();
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e', 'a']); // the rest, then the first one's second turn
    await nextTurn();
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e', 'a', 'b', 'c', 'd']);
    await nextTurn();
    expect(log.slice(9)).toEqual(['e']);
    expect(scheduler.waiting).toBe(0);
  });

  it('gives a body that asks again during a turn its next chunk on a later turn, not the same one', async () => {
    const scheduler = new SendScheduler(1024 * 1024);
    const log: string[] = [];
    scheduler.ready(body('solo', log, scheduler, 64, 3));
    await nextTurn();
    expect(log).toEqual(['solo']);
    await nextTurn();
    await nextTurn();
    expect(log).toEqual(['solo', 'solo', 'solo']);
    await nextTurn();
    expect(log).toHaveLength(3);
  });

  it('lets a turn that sends nothing (a body that ended meanwhile) cost nothing', async () => {
    const scheduler = new SendScheduler(64);
    const log: string[] = [];
    scheduler.ready({ takeTurn: () => (log.push('gone'), 0) });
    scheduler.ready(body('live', log, scheduler, 64, 1));
    await nextTurn();
    expect(log).toEqual(['gone', 'live']);
  });
});
