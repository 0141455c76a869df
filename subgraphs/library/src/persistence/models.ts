import type { Connection } from 'mongoose';
import { albumModel } from './album.model.js';
import { artistModel } from './artist.model.js';
import { imageModel } from './image.model.js';
import type { LibraryModels } from './library.repository.js';
import { outboxModel, stagedOutboxModel } from './outbox.model.js';
import { scanModel } from './scan.model.js';
import { trackModel } from './track.model.js';

export function libraryModels(conn: Connection): LibraryModels {
  return {
    tracks: trackModel(conn),
    albums: albumModel(conn),
    artists: artistModel(conn),
    images: imageModel(conn),
    scans: scanModel(conn),
    outbox: outboxModel(conn),
    staged: stagedOutboxModel(conn),
  };
}
