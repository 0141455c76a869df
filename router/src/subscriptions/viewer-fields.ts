import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type FieldNode, type GraphQLSchema } from 'graphql';

/**
 * `Track.liked`, the one user-dependent field subscribers commonly select, is read for all
 * subscribers of an event at once (resource's LikesOfUsers over gRPC) instead of by one planned
 * query per user: the shared entity query asks for the track's `id` in its place, under an alias
 * that names the subscriber's response key, and each subscriber's result gets their own value.
 */
export const LIKED_MARK = '__ytmLiked_';

/** The entity query with every `Track.liked` replaced by `<LIKED_MARK><responseKey>: id`; `replaced` false when there was none. */
export function markViewerFields(schema: GraphQLSchema, query: DocumentNode): { document: DocumentNode; replaced: boolean } {
  const typeInfo = new TypeInfo(schema);
  let replaced = false;
  const document = visit(
    query,
    visitWithTypeInfo(typeInfo, {
      Field(node): FieldNode | undefined {
        if (typeInfo.getParentType()?.name !== 'Track' || node.name.value !== 'liked') return undefined;
        replaced = true;
        return {
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: `${LIKED_MARK}${node.alias?.value ?? node.name.value}` },
          name: { kind: Kind.NAME, value: 'id' },
          ...(node.directives?.length ? { directives: node.directives } : {}),
        };
      },
    }),
  );
  return { document, replaced };
}

/** Where a marked field sits in a fetched result: the path of its parent object, its response key and the track. */
export interface LikedPosition {
  path: ReadonlyArray<string | number>;
  key: string;
  trackId: string;
}

/** Every marked field in a fetched result (under `base`). */
export function likedPositions(value: unknown, base: ReadonlyArray<string | number> = []): LikedPosition[] {
  const found: LikedPosition[] = [];
  const walk = (v: unknown, path: Array<string | number>) => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (k.startsWith(LIKED_MARK) && typeof child === 'string') found.push({ path, key: k.slice(LIKED_MARK.length), trackId: child });
        else walk(child, [...path, k]);
      }
    }
  };
  walk(value, [...base]);
  return found;
}

/** A copy of `data` with `liked` set at each position (objects copied along the paths only; positions the shaped result left out are skipped). */
export function withLiked(data: unknown, positions: readonly LikedPosition[], liked: (trackId: string) => boolean): unknown {
  let root = data;
  for (const p of positions) root = setIn(root, p.path, p.key, liked(p.trackId));
  return root;
}

function setIn(node: unknown, path: ReadonlyArray<string | number>, key: string, value: boolean): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (path.length === 0) return key in node ? { ...node, [key]: value } : node;
  const [head, ...rest] = path;
  if (Array.isArray(node)) {
    const i = head as number;
    if (i >= node.length) return node;
    const copy = node.slice();
    copy[i] = setIn(node[i], rest, key, value);
    return copy;
  }
  const record = node as Record<string, unknown>;
  if (!(String(head) in record)) return node;
  return { ...record, [head as string]: setIn(record[head as string], rest, key, value) };
}
