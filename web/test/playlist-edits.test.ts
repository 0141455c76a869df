import { describe, expect, it } from 'vitest';
import { anchorOf, argumentsOf, movePosition, rebase } from '../src/features/playlists/playlist-edits';

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
