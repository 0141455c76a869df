import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, print } from 'graphql';
import { dependsOnUser } from '../../src/subscriptions/user-dependence.js';
import { likedPositions, markViewerFields, withLiked } from '../../src/subscriptions/viewer-fields.js';

const schema = buildSchema(`
  type Query { track(id: ID!): Track }
  type Track { id: ID! title: String! liked: Boolean! album: Album }
  type Album { title: String! tracks: [Track!]! }
`);

describe('markViewerFields', () => {
  it('replaces Track.liked (aliased, in fragments, nested) by the track id under a marked alias; the result reads nothing user-dependent', () => {
    const query = parse('query { track(id: "1") { title l: liked album { tracks { ...F } } } } fragment F on Track { liked }');
    const { document, replaced } = markViewerFields(schema, query);
    expect(replaced).toBe(true);
    expect(print(document)).toContain('__ytmLiked_l: id');
    expect(print(document)).toContain('fragment F on Track {\n  __ytmLiked_liked: id\n}');
    expect(dependsOnUser(schema, query)).toBe(true);
    expect(dependsOnUser(schema, document)).toBe(false);
    expect(markViewerFields(schema, parse('query { track(id: "1") { title } }')).replaced).toBe(false);
  });
});

describe('likedPositions / withLiked', () => {
  it('finds every marked track and sets each subscriber its own values, copying only along the paths', () => {
    const fetched = { track: { title: 'A', __ytmLiked_l: 't1', album: { tracks: [{ __ytmLiked_liked: 't2' }, { __ytmLiked_liked: 't3' }] } } };
    const positions = likedPositions(fetched, ['changed']);
    expect(positions).toEqual([
      { path: ['changed', 'track'], key: 'l', trackId: 't1' },
      { path: ['changed', 'track', 'album', 'tracks', 0], key: 'liked', trackId: 't2' },
      { path: ['changed', 'track', 'album', 'tracks', 1], key: 'liked', trackId: 't3' },
    ]);
    const shaped = { changed: { kind: 'ADDED', track: { title: 'A', l: false, album: { tracks: [{ liked: false }, { liked: false }] } } } };
    const mine = withLiked(shaped, positions, (t) => t !== 't2');
    expect(mine).toEqual({ changed: { kind: 'ADDED', track: { title: 'A', l: true, album: { tracks: [{ liked: false }, { liked: true }] } } } });
    // The shared result is untouched: every subscriber starts from it.
    expect(shaped.changed.track.l).toBe(false);
    expect(shaped.changed.track.album.tracks[1]!.liked).toBe(false);
    // A position the subscriber's selection left out (a fragment on another type) is skipped, not added.
    expect(withLiked({ changed: { track: null } }, positions, () => true)).toEqual({ changed: { track: null } });
  });
});
