/**
 * Every route of the app, defined once. The Shell renders a page for each (its table is typed by
 * these names), and the build writes `app-routes.json` from this list (vite.config.ts): the
 * router serves index.html for exactly these paths, so a reload on any of them works.
 * Patterns: literal segments, and `:name` as the last segment for an id.
 */
export const ROUTES = {
  albums: '/',
  album: '/albums/:id',
  artists: '/artists',
  artist: '/artists/:id',
  tracks: '/tracks',
  search: '/search',
  queue: '/queue',
  liked: '/liked',
  lists: '/lists',
  playlist: '/playlist/:id',
  history: '/history',
  account: '/account',
  admin: '/admin',
  signin: '/signin',
  signup: '/signup',
} as const;

export type RouteName = keyof typeof ROUTES;

/** What the router's SPA fallback reads (web/dist/app-routes.json). */
export interface AppRoutes {
  exact: string[];
  /** `/albums/` matches `/albums/<one segment>`. */
  prefixes: string[];
}

export function appRoutes(patterns: readonly string[] = Object.values(ROUTES)): AppRoutes {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const p of patterns) {
    const parts = p.split('/');
    const params = parts.filter((s) => s.startsWith(':'));
    if (params.length === 0) exact.push(p);
    else if (params.length === 1 && parts[parts.length - 1]!.startsWith(':')) prefixes.push(`${parts.slice(0, -1).join('/')}/`);
    else throw new Error(`route ${p}: only a last :param segment is supported`);
  }
  return { exact, prefixes: [...new Set(prefixes)] };
}

/** `/albums/:id` against a path: the params, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.replace(/\/$/, '').split('/');
  if (p.length !== s.length && !(path === '/' && pattern === '/')) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) {
      if (!s[i]) return null;
      try {
        params[part.slice(1)] = decodeURIComponent(s[i]!);
      } catch (err) {
        if (err instanceof URIError) return null; // a malformed %-escape (`/albums/%`): no page of the app
        throw err;
      }
    } else if (part !== (s[i] ?? '')) return null;
  }
  return params;
}

/** The route a path shows, with its params; undefined: not a page of the app. */
export function resolve(path: string): { name: RouteName; params: Record<string, string> } | undefined {
  for (const name of Object.keys(ROUTES) as RouteName[]) {
    const params = match(ROUTES[name], path);
    if (params) return { name, params };
  }
  return undefined;
}
