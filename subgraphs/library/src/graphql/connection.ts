import { toConnection } from '@ytm/pagination';
import type { Page } from '../domain/pagination.js';
import type { RequestView } from './request-views.js';

/** A Relay connection whose nodes come through the request's view, each when it is read. */
export function loadConnection<T>(page: Page, view: RequestView<T | null>) {
  return toConnection({ ...page, edges: page.edges.map((e) => new LoadedEdge(e, view)) });
}

/** A page's edge: its node and its cursor are made only when read. */
class LoadedEdge<T> {
  constructor(
    private readonly edge: Page['edges'][number],
    private readonly view: RequestView<T | null>,
  ) {}

  get node(): T {
    return loadExisting(this.view, this.edge.node);
  }

  get cursor(): string {
    return this.edge.cursor;
  }
}

/** An entity a non-null field points at: one that vanished (a rescan removed it meanwhile) fails that field. */
export function loadExisting<T>(view: RequestView<T | null>, id: string): T {
  const value = view.get(id);
  if (value === null) throw new Error(`${id} is gone`);
  return value;
}

/** Loads many, dropping IDs that vanished (lists of non-null entities). */
export function loadPresent<T>(view: RequestView<T | null>, ids: readonly string[]): T[] {
  const out: T[] = [];
  for (const id of ids) {
    const value = view.get(id);
    if (value !== null) out.push(value);
  }
  return out;
}
