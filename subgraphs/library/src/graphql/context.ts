import type { BaseContext } from '@ytm/subgraph';
import type { LibraryService } from '../domain/library.service.js';
import type { ScanControl } from '../domain/ports.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface LibraryContext extends BaseContext {
  library: LibraryService;
  scans: ScanControl;
  loaders: Loaders;
  /** Where image URLs point (the router, which proxies /art/*). */
  publicUrl: string;
}

export function createContext(deps: { library: LibraryService; scans: ScanControl; publicUrl: string }) {
  return (base: BaseContext): LibraryContext => ({ ...base, ...deps, loaders: createLoaders(deps.library) });
}
