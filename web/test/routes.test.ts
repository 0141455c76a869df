import { describe, expect, it } from 'vitest';
import { appRoutes, match, resolve, ROUTES } from '../src/app/routes';

/** The router's rule for app-routes.json (router/src/http/web-app.ts), to check the two agree. */
function served(path: string, r = appRoutes()): boolean {
  return r.exact.includes(path) || r.prefixes.some((p) => path.startsWith(p) && path.length > p.length && !path.slice(p.length).includes('/'));
}

describe('the app routes, defined once', () => {
  it('derives the SPA fallback list from the route table', () => {
    expect(appRoutes()).toEqual({
      exact: ['/', '/artists', '/tracks', '/search', '/queue', '/liked', '/lists', '/history', '/account', '/admin', '/signin', '/signup'],
      prefixes: ['/albums/', '/artists/', '/playlist/'],
    });
  });

  it('every path the app renders is served index.html by the router, and nothing else is', () => {
    const paths = [
      '/',
      '/albums/a1',
      '/artists',
      '/artists/x%20y',
      '/tracks',
      '/search',
      '/queue',
      '/liked',
      '/lists',
      '/playlist/p1',
      '/history',
      '/account',
      '/admin',
      '/signin',
      '/signup',
    ];
    for (const p of paths) {
      expect(resolve(p), p).toBeDefined();
      expect(served(p), p).toBe(true);
    }
    // The playlist export (/playlists/<id>.m3u8) is the router's, never the app's.
    for (const p of ['/albums', '/albums/a/b', '/nope', '/graphql', '/albums/', '/playlists/p1.m3u8', '/playlist/']) {
      expect(resolve(p), p).toBeUndefined();
      expect(served(p), p).toBe(false);
    }
    expect(Object.keys(ROUTES).length).toBe(appRoutes().exact.length + appRoutes().prefixes.length);
  });

  it('matches params and refuses what it cannot express', () => {
    expect(match('/albums/:id', '/albums/%C3%A9')).toEqual({ id: 'é' });
    expect(resolve('/artists/7')).toEqual({ name: 'artist', params: { id: '7' } });
    expect(() => appRoutes(['/a/:id/b'])).toThrow(/only a last :param/);
  });
});

describe('a path the app cannot decode', () => {
  it('is not found (a malformed %-escape does not throw out of the route table)', () => {
    expect(() => resolve('/albums/%')).not.toThrow();
    expect(resolve('/albums/%')).toBeUndefined();
    expect(resolve('/playlist/%E0%A4%A')).toBeUndefined();
    expect(match('/artists/:id', '/artists/%zz')).toBeNull();
  });
});
