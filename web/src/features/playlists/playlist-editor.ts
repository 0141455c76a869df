import type { Client } from '@urql/core';
import { errorCode, errorText } from '../../ui/errors';
import { notify } from '../../ui/notices';
import { ADD_TRACKS, MOVE_ITEM, PLAYLIST, PLAYLIST_ITEMS_AFTER, REMOVE_ITEMS, UPDATE_PLAYLIST } from './playlist-api';
import { argumentsOf, describeEdit, rebase, type PlaylistEdit, type PlaylistSnapshot } from './playlist-edits';

const ATTEMPTS = 3;

function send(client: Client, id: string, edit: PlaylistEdit, s: PlaylistSnapshot) {
  const vars = { id, expectedVersion: s.version, ...argumentsOf(edit, s) };
  switch (edit.kind) {
    case 'update':
      return client.mutation(UPDATE_PLAYLIST, vars as never).toPromise();
    case 'add':
      return client.mutation(ADD_TRACKS, vars as never).toPromise();
    case 'remove':
      return client.mutation(REMOVE_ITEMS, vars as never).toPromise();
    case 'move':
      return client.mutation(MOVE_ITEM, vars as never).toPromise();
  }
}

/**
 * The playlist as the server has it now (bypassing the cache), every entry of it (100 a page), or
 * null when it is gone for us. Re-basing an edit needs every entry: the one moved may be entry 250.
 */
export async function freshSnapshot(client: Client, id: string): Promise<PlaylistSnapshot | null> {
  const r = await client.query(PLAYLIST, { id }, { requestPolicy: 'network-only' }).toPromise();
  const p = r.data?.playlist;
  if (!p) return null;
  const d = p as unknown as {
    version: number;
    items: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
  const itemIds = d.items.edges.map((e) => e.node.id);
  let page = d.items.pageInfo;
  while (page.hasNextPage && page.endCursor) {
    const next = await client.query(PLAYLIST_ITEMS_AFTER, { id, after: page.endCursor }, { requestPolicy: 'network-only' }).toPromise();
    const items = next.data?.playlist?.items;
    if (!items) return null;
    itemIds.push(...items.edges.map((e) => e.node.id));
    page = items.pageInfo;
  }
  return { version: d.version, itemIds };
}

/**
 * Sends an edit with `expectedVersion`. On CONFLICT: reloads the playlist, re-bases the edit and
 * sends it again (a few times at most), or tells the user why it was not applied. Never silent.
 * Resolves true when the edit was applied.
 */
export async function applyEdit(client: Client, id: string, edit: PlaylistEdit, snapshot: PlaylistSnapshot): Promise<boolean> {
  let s = snapshot;
  let e = edit;
  let rebased = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const r = await send(client, id, e, s);
    if (!r.error) {
      if (rebased) notify(`The playlist had changed elsewhere; it was reloaded and your change (${describeEdit(edit)}) applied to it.`);
      return true;
    }
    if (errorCode(r.error) !== 'CONFLICT') {
      notify(`Could not ${describeEdit(edit)}: ${errorText(r.error)}.`, { tone: 'error' });
      if (errorCode(r.error) !== 'NETWORK') await freshSnapshot(client, id);
      return false;
    }
    const fresh = await freshSnapshot(client, id);
    if (!fresh) {
      notify(`Could not ${describeEdit(edit)}: the playlist was deleted or made private meanwhile.`, { tone: 'error' });
      return false;
    }
    const next = rebase(e, fresh);
    if ('dropped' in next) {
      notify(`The playlist had changed elsewhere and was reloaded; your change (${describeEdit(edit)}) was not applied: ${next.dropped}.`, { tone: 'error' });
      return false;
    }
    e = next.edit;
    s = fresh;
    rebased = true;
  }
  notify(`Could not ${describeEdit(edit)}: the playlist keeps changing elsewhere. It has been reloaded; try again.`, { tone: 'error' });
  return false;
}
