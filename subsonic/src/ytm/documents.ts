// GraphQL selections subsonic reads, one per entity, matched by the types in ./model.ts.

export const TRACK_FIELDS = `id title trackNumber discNumber duration genres year addedAt likedAt
  format { container codec mimeType bitrate sampleRate channels fileSize }
  coverArt { url } album { id title artist { id name } } artists { id name }`;

export const ALBUM_FIELDS = `id title year genres compilation trackCount duration addedAt coverArt { url } artist { id name }`;

export const ARTIST_FIELDS = `id name sortName albumCount coverArt { url }`;
