import type DataLoader from 'dataloader';
import { toConnection } from '@ytm/pagination';
import type { Page } from '../domain/pagination.js';

/** A Relay connection whose nodes come through a dataloader (one batch per page). */
export function loadConnection<T>(page: Page, loader: DataLoader<string, T | null>) {
  return toConnection({ ...page, edges: page.edges.map((e) => new LoadedEdge(e, loadExisting(loader, e.node))) });
}

/** A page's edge with its node loaded; the cursor is still made only when read. */
class LoadedEdge<T> {
  constructor(
    private readonly edge: Page['edges'][number],
    readonly node: Promise<T>,
  ) {}

  get cursor(): string {
    return this.edge.cursor;
  }
}

/** An entity a non-null field points at: one that vanished (a rescan removed it meanwhile) fails that field. */
export async function loadExisting<T>(loader: DataLoader<string, T | null>, id: string): Promise<T> {
  const value = await loader.load(id);
  if (value === null) throw new Error(`${id} is gone`);
  return value;
}

/** Loads many, dropping IDs that vanished (lists of non-null entities). */
export async function loadPresent<T>(loader: DataLoader<string, T | null>, ids: readonly string[]): Promise<T[]> {
  const values = await loader.loadMany(ids);
  return values.filter((v): v is T => v !== null && !(v instanceof Error));
}
