import { describe, expect, it } from 'vitest';
import { editQueue } from '../src/features/playlists/edit-queue';
import { anchorOf, argumentsOf, movePosition, rebase, type PlaylistEdit, type PlaylistSnapshot } from '../src/features/playlists/playlist-edits';

describe('playlist edits: positions from anchors', () => {
  it('a move to a position is "behind the entry there" and back again', () => {
    const ids = ['a', 'b', 'c', 'd'];
    expect(anchorOf(ids, 'c', 0)).toBeNull();
    expect(anchorOf(ids, 'a', 2)).toBe('c');
    expect(movePosition(ids, 'a', 'c')).toBe(2);
    expect(movePosition(ids, 'c', null)).toBe(0);
    expect(movePosition(ids, 'd', 'a')).toBe(1);
  });
  it('an add goes in front of its entry, or at the end', () => {
    expect(argumentsOf({ kind: 'add', trackIds: ['t'], beforeItemId: 'b' }, { version: 1, itemIds: ['a', 'b'] })).toEqual({ trackIds: ['t'], position: 1 });
    expect(argumentsOf({ kind: 'add', trackIds: ['t'], beforeItemId: null }, { version: 1, itemIds: ['a'] })).toEqual({ trackIds: ['t'], position: null });
  });
});

describe('rebase after a CONFLICT', () => {
  const fresh = { version: 7, itemIds: ['x', 'a', 'c'] };
  it('re-applies what still makes sense on the fresh playlist', () => {
    expect(rebase({ kind: 'update', input: { name: 'N' } }, fresh)).toEqual({ edit: { kind: 'update', input: { name: 'N' } } });
    const moved = rebase({ kind: 'move', itemId: 'c', afterItemId: 'x' }, fresh);
    expect(moved).toEqual({ edit: { kind: 'move', itemId: 'c', afterItemId: 'x' } });
    expect(argumentsOf((moved as { edit: never }).edit, fresh)).toEqual({ itemId: 'c', toPosition: 1 });
    expect(rebase({ kind: 'remove', itemIds: ['a', 'b'] }, fresh)).toEqual({ edit: { kind: 'remove', itemIds: ['a'] } });
    expect(rebase({ kind: 'add', trackIds: ['t'], beforeItemId: 'b' }, fresh)).toEqual({ edit: { kind: 'add', trackIds: ['t'], beforeItemId: null } });
  });
  it('drops, with a reason, what no longer makes sense', () => {
    expect(rebase({ kind: 'remove', itemIds: ['b'] }, fresh)).toEqual({ dropped: 'the entries you removed had already been removed' });
    expect(rebase({ kind: 'move', itemId: 'b', afterItemId: null }, fresh)).toHaveProperty('dropped');
    expect(rebase({ kind: 'move', itemId: 'a', afterItemId: 'b' }, fresh)).toHaveProperty('dropped');
  });
});

describe('edits of a playlist, one at a time against the playlist as shown', () => {
  /** A page showing a playlist at `version`, and a server answering each edit with the next version. */
  function page() {
    const shown = { version: 3, itemIds: ['a', 'b', 'c'] };
    const sent: Array<{ kind: string; expectedVersion: number }> = [];
    let answer!: () => void;
    const send = (e: PlaylistEdit, s: PlaylistSnapshot) => {
      sent.push({ kind: e.kind, expectedVersion: s.version });
      return new Promise<boolean>((resolve) => (answer = () => resolve(true)));
    };
    const queue = editQueue(send, () => shown);
    /** The page renders the server's answer (the next version). */
    const render = (itemIds: string[]) => {
      shown.version += 1;
      shown.itemIds = itemIds;
      queue.rendered();
    };
    return { shown, sent, queue, render, answer: () => answer() };
  }
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('a second edit waits for the first to be answered and shown, and goes out with the version that produced', async () => {
    const p = page();
    const first = p.queue.edit({ kind: 'remove', itemIds: ['c'] });
    const second = p.queue.edit({ kind: 'move', itemId: 'b', afterItemId: null });
    await tick();
    expect(p.sent).toEqual([{ kind: 'remove', expectedVersion: 3 }]);
    p.answer();
    await tick();
    expect(p.sent.length).toBe(1); // answered, not shown yet
    p.render(['a', 'b']);
    expect(await first).toBe(true);
    await tick();
    expect(p.sent).toEqual([
      { kind: 'remove', expectedVersion: 3 },
      { kind: 'move', expectedVersion: 4 },
    ]);
    p.answer();
    p.render(['b', 'a']);
    expect(await second).toBe(true);
  });

  it('Undo later: sent with the version after the removal, not the one captured before it', async () => {
    const p = page();
    const removed = p.queue.edit({ kind: 'remove', itemIds: ['b'] });
    await tick();
    p.answer();
    p.render(['a', 'c']);
    await removed;
    // The notice's Undo, clicked a few seconds later.
    const undo = p.queue.edit({ kind: 'add', trackIds: ['t-b'], beforeItemId: 'c' });
    await tick();
    expect(p.sent.at(-1)).toEqual({ kind: 'add', expectedVersion: 4 });
    p.answer();
    p.render(['a', 'x', 'c']);
    expect(await undo).toBe(true);
  });
});
