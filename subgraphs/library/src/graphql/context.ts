import type { BaseContext } from '@ytm/subgraph';
import type { LibraryService } from '../domain/library.service.js';
import type { ScanControl } from '../domain/ports.js';
import type { LyricsReader } from '../persistence/lyrics.reader.js';
import { createRequestViews, type RequestViews } from './request-views.js';

export interface LibraryContext extends BaseContext {
  library: LibraryService;
  scans: ScanControl;
  views: RequestViews;
  /** Where image URLs point (the router, which proxies /art/*). */
  publicUrl: string;
  lyrics: LyricsReader;
}

export function createContext(deps: { library: LibraryService; scans: ScanControl; publicUrl: string; lyrics: LyricsReader }) {
  return (base: BaseContext): LibraryContext => ({ ...base, ...deps, views: createRequestViews(deps.library) });
}
