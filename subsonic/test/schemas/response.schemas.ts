// JSON Schemas of OpenSubsonic responses, written for this project from the facts of the
// OpenSubsonic specification (opensubsonic/open-subsonic-api: its OpenAPI schemas and response
// pages): field names, types, required fields and nesting. Objects allow no other fields, so a
// misspelt or invented field fails. Only the responses ytm-subsonic produces are described.

type Schema = Record<string, unknown>;

const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const dateTime = { type: 'string', format: 'date-time' };
const arr = (items: Schema) => ({ type: 'array', items });
/** A user's rating: 1–5 (absent when not rated). */
const rating = { type: 'integer', minimum: 1, maximum: 5 };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });

export const itemGenre = obj({ name: str }, ['name']);

export const artistId3 = obj(
  {
    id: str,
    name: str,
    coverArt: str,
    artistImageUrl: str,
    albumCount: int,
    starred: dateTime,
    musicBrainzId: str,
    sortName: str,
    disambiguation: str,
    roles: arr(str),
    userRating: rating,
  },
  ['id', 'name'],
);

export const child = obj(
  {
    id: str,
    parent: str,
    isDir: bool,
    title: str,
    album: str,
    artist: str,
    track: int,
    year: int,
    genre: str,
    coverArt: str,
    size: int,
    contentType: str,
    suffix: str,
    transcodedContentType: str,
    transcodedSuffix: str,
    duration: int,
    bitRate: int,
    bitDepth: int,
    samplingRate: int,
    channelCount: int,
    path: str,
    isVideo: bool,
    userRating: { type: 'integer', minimum: 1, maximum: 5 },
    averageRating: { type: 'number', minimum: 0, maximum: 5 },
    playCount: int,
    discNumber: int,
    created: dateTime,
    starred: dateTime,
    albumId: str,
    artistId: str,
    type: { enum: ['music', 'podcast', 'audiobook', 'video'] },
    mediaType: { enum: ['song', 'album', 'artist'] },
    bookmarkPosition: int,
    played: dateTime,
    bpm: int,
    comment: str,
    sortName: str,
    musicBrainzId: str,
    isrc: arr(str),
    genres: arr(itemGenre),
    artists: arr(artistId3),
    displayArtist: str,
    albumArtists: arr(artistId3),
    displayAlbumArtist: str,
    displayComposer: str,
    moods: arr(str),
    explicitStatus: { enum: ['explicit', 'clean', ''] },
  },
  ['id', 'isDir', 'title'],
);

export const albumId3Properties = {
  id: str,
  name: str,
  version: str,
  artist: str,
  artistId: str,
  coverArt: str,
  songCount: int,
  duration: int,
  playCount: int,
  created: dateTime,
  starred: dateTime,
  year: int,
  genre: str,
  played: dateTime,
  userRating: rating,
  musicBrainzId: str,
  genres: arr(itemGenre),
  artists: arr(artistId3),
  displayArtist: str,
  releaseTypes: arr(str),
  moods: arr(str),
  sortName: str,
  isCompilation: bool,
  explicitStatus: { enum: ['explicit', 'clean', ''] },
};
const albumRequired = ['id', 'name', 'songCount', 'duration', 'created'];
export const albumId3 = obj(albumId3Properties, albumRequired);
export const albumId3WithSongs = obj({ ...albumId3Properties, song: arr(child) }, [...albumRequired, 'song']);

export const artistWithAlbums = obj({ ...(artistId3.properties as Record<string, Schema>), album: arr(albumId3) }, ['id', 'name', 'album']);

export const artistsId3 = obj({ ignoredArticles: str, index: arr(obj({ name: str, artist: arr(artistId3) }, ['name'])) }, ['ignoredArticles']);

export const indexes = obj(
  {
    ignoredArticles: str,
    lastModified: int,
    shortcut: arr(obj({ id: str, name: str }, ['id', 'name'])),
    child: arr(child),
    index: arr(
      obj(
        {
          name: str,
          artist: arr(obj({ id: str, name: str, artistImageUrl: str, starred: dateTime, userRating: int, averageRating: { type: 'number' } }, ['id', 'name'])),
        },
        ['name'],
      ),
    ),
  },
  ['ignoredArticles', 'lastModified'],
);

export const directory = obj(
  { id: str, parent: str, name: str, starred: dateTime, userRating: int, averageRating: { type: 'number' }, playCount: int, child: arr(child) },
  ['id', 'name'],
);

export const genres = obj({ genre: arr(obj({ value: str, songCount: int, albumCount: int }, ['value', 'songCount', 'albumCount'])) });
export const musicFolders = obj({ musicFolder: arr(obj({ id: int, name: str }, ['id'])) });
export const license = obj({ valid: bool, email: str, licenseExpires: dateTime, trialExpires: dateTime }, ['valid']);
export const openSubsonicExtensions = arr(obj({ name: str, versions: arr(int) }, ['name', 'versions']));
export const scanStatus = obj({ scanning: bool, count: int }, ['scanning']);
export const tokenInfo = obj({ username: str }, ['username']);

const roles = [
  'scrobblingEnabled',
  'adminRole',
  'settingsRole',
  'downloadRole',
  'uploadRole',
  'playlistRole',
  'coverArtRole',
  'commentRole',
  'podcastRole',
  'streamRole',
  'jukeboxRole',
  'shareRole',
  'videoConversionRole',
];
export const user = obj(
  { username: str, email: str, maxBitRate: int, avatarLastChanged: dateTime, folder: arr(int), ...Object.fromEntries(roles.map((r) => [r, bool])) },
  ['username', ...roles],
);

const playlistProperties = {
  id: str,
  name: str,
  comment: str,
  owner: str,
  public: bool,
  songCount: int,
  duration: int,
  created: dateTime,
  changed: dateTime,
  coverArt: str,
  allowedUser: arr(str),
  readonly: bool,
  validUntil: dateTime,
};
const playlistRequired = ['id', 'name', 'songCount', 'duration', 'created', 'changed'];
export const playlist = obj(playlistProperties, playlistRequired);
export const playlistWithSongs = obj({ ...playlistProperties, entry: arr(child) }, playlistRequired);
export const playlists = obj({ playlist: arr(playlist) });

export const starred2 = obj({ artist: arr(artistId3), album: arr(albumId3), song: arr(child) });
/** `Artist` (folder-style): getIndexes, getStarred, search2. */
const artist = obj({ id: str, name: str, artistImageUrl: str, starred: dateTime, userRating: rating, averageRating: { type: 'number' } }, ['id', 'name']);
export const starred = obj({ artist: arr(artist), album: arr(child), song: arr(child) });
export const searchResult3 = obj({ artist: arr(artistId3), album: arr(albumId3), song: arr(child) });
export const searchResult2 = obj({ artist: arr(artist), album: arr(child), song: arr(child) });
const playQueueCommon = { position: int, username: str, changed: dateTime, changedBy: str, entry: arr(child) };
export const playQueue = obj({ current: str, ...playQueueCommon }, ['username', 'changed', 'changedBy']);
export const playQueueByIndex = obj({ currentIndex: int, ...playQueueCommon }, ['username', 'changed', 'changedBy']);
export const albumList2 = obj({ album: arr(albumId3) });
export const albumList = obj({ album: arr(child) });
export const songs = obj({ song: arr(child) });
export const nowPlaying = obj({
  entry: arr({
    ...child,
    properties: { ...(child.properties as Record<string, Schema>), username: str, minutesAgo: int, playerId: int, playerName: str },
    required: ['id', 'isDir', 'title', 'username', 'minutesAgo', 'playerId'],
  }),
});
const info = { notes: str, biography: str, musicBrainzId: str, lastFmUrl: str, smallImageUrl: str, mediumImageUrl: str, largeImageUrl: str };
export const artistInfo2 = obj({
  biography: str,
  musicBrainzId: str,
  lastFmUrl: str,
  smallImageUrl: str,
  mediumImageUrl: str,
  largeImageUrl: str,
  similarArtist: arr(artistId3),
});
export const albumInfo = obj(info);

export const structuredLyrics = obj(
  {
    lang: str,
    synced: bool,
    line: arr(obj({ value: str, start: { type: 'number' } }, ['value'])),
    displayArtist: str,
    displayTitle: str,
    offset: { type: 'number' },
  },
  ['lang', 'synced', 'line'],
);
export const lyricsList = obj({ structuredLyrics: arr(structuredLyrics) });
export const lyrics = obj({ value: str, artist: str, title: str }, ['value']);

export const error = obj({ code: int, message: str, helpUrl: str }, ['code']);

const base = { status: { enum: ['ok', 'failed'] }, version: str, type: str, serverVersion: str, openSubsonic: { const: true } };

/** The whole `{"subsonic-response": …}` document of a successful call whose payload is `key`. */
export function okResponse(key?: string, payload?: Schema): Schema {
  const inner = obj({ ...base, status: { const: 'ok' }, ...(key && payload ? { [key]: payload } : {}) }, [
    'status',
    'version',
    'type',
    'serverVersion',
    'openSubsonic',
    ...(key ? [key] : []),
  ]);
  return obj({ 'subsonic-response': inner }, ['subsonic-response']);
}

export function failedResponse(): Schema {
  const inner = obj({ ...base, status: { const: 'failed' }, error }, ['status', 'version', 'type', 'serverVersion', 'openSubsonic', 'error']);
  return obj({ 'subsonic-response': inner }, ['subsonic-response']);
}
