import { getNamedType, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * Fields whose value depends on who asks: `*` for a whole type. A payload selection that
 * reaches none of them reads the same for every subscriber, so one fetch per event can serve all
 * users (the fetch still carries one subscriber's token, and every subscriber was authorised).
 * Whether a Playlist can be read at all depends on the reader too: the subscription field's
 * access rule decides that per subscriber (subscription-fields.ts); its fields read the same for
 * every reader.
 */
export const USER_DEPENDENT: Record<string, readonly string[] | '*'> = {
  Track: ['liked', 'likedAt'],
  // Self (or ADMIN) only, or filtered by the reader (others see PUBLIC playlists only).
  User: ['email', 'apiKeys', 'playlists', 'likedTracks', 'recentlyPlayed', 'playbackQuota'],
  ApiKey: '*',
  PlaybackQuota: '*',
  PlayRecord: '*',
  Session: '*',
};

/** True when the query selects any user-dependent field (fragments included). */
export function dependsOnUser(schema: GraphQLSchema, query: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let depends = false;
  visit(
    query,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType()?.name;
        const rule = parent ? USER_DEPENDENT[parent] : undefined;
        const returned = typeInfo.getType();
        const target = returned ? USER_DEPENDENT[getNamedType(returned).name] : undefined;
        if (rule === '*' || rule?.includes(node.name.value) || target === '*') depends = true;
      },
    }),
  );
  return depends;
}
