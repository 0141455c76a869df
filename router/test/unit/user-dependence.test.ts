import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import { dependsOnUser } from '../../src/subscriptions/user-dependence.js';

const schema = buildSchema(`
  type Query { track(id: ID!): Track }
  type Track { id: ID! title: String! liked: Boolean! playCount: Int! album: Album }
  type Album { title: String! tracks: [Track!]! }
`);

describe('dependsOnUser', () => {
  it('is false for selections every user reads the same', () => {
    expect(dependsOnUser(schema, parse('query { track(id: "1") { title playCount album { title } } }'))).toBe(false);
  });
  it('is true when a user-dependent field is reached, directly or through fragments', () => {
    expect(dependsOnUser(schema, parse('query { track(id: "1") { title liked } }'))).toBe(true);
    expect(dependsOnUser(schema, parse('query { track(id: "1") { album { tracks { ...L } } } } fragment L on Track { liked }'))).toBe(true);
  });

  it("reads a playlist, its owner's public fields and its items as the same for every reader; email, likes and own lists as not", () => {
    const full = buildSchema(`
      type Query { playlist(id: ID!): Playlist }
      type Playlist { name: String! version: Int! owner: User! items: [PlaylistItem!]! }
      type PlaylistItem { position: Int! track: Track }
      type Track { id: ID! title: String! liked: Boolean! likedAt: String }
      type User { id: ID! displayName: String! email: String! playlists: [Playlist!]! likedTracks: [Track!]! }
    `);
    const reads = (q: string) => dependsOnUser(full, parse(`query { playlist(id: "p") { ${q} } }`));
    expect(reads('name version owner { id displayName } items { position track { title } }')).toBe(false);
    expect(reads('owner { email }')).toBe(true);
    expect(reads('owner { playlists { name } }')).toBe(true);
    expect(reads('owner { likedTracks { title } }')).toBe(true);
    expect(reads('items { track { likedAt } }')).toBe(true);
  });
});
