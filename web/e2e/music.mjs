// The browser tests' music folder: a few albums and artists, accents in names, and two files
// Chromium cannot play as they are. Written by scripts/music.mjs (the generator `npm start` uses
// for its demo library): writeMusic(dir, ALBUMS, { seconds: 40 }).

export const ALBUMS = [
  {
    artist: 'Aurora Lane',
    album: 'Night Drive',
    year: 2021,
    genre: 'Synthpop',
    colors: ['0x1d2b64', '0xf8cdda'],
    tracks: ['Neon Avenue', 'Midnight Static', 'Tail Lights'],
  },
  { artist: 'Aurora Lane', album: 'First Light', year: 2018, genre: 'Synthpop', colors: ['0xff512f', '0xf09819'], tracks: ['Dawn Chorus', 'Paper Planes'] },
  {
    artist: 'Bärbel Quartett',
    album: 'Café Müller',
    year: 2016,
    genre: 'Jazz',
    colors: ['0x134e5e', '0x71b280'],
    tracks: ['Élan', 'Über den Wolken', 'Kaffeehaus'],
  },
  { artist: 'The Long Hours', album: 'Slow Rivers', year: 2023, genre: 'Folk', colors: ['0x614385', '0x516395'], tracks: ['River Song', 'Hollow Pines'] },
  // Files Chromium cannot play as they are (ALAC in M4A, WMA): the player asks for a transcode.
  {
    artist: 'Codec Lab',
    album: 'Odd Formats',
    year: 2020,
    genre: 'Electronic',
    colors: ['0x232526', '0x414345'],
    tracks: ['Apple Lossless', 'Windows Media'],
    encodings: ['alac', 'wma'],
  },
];
