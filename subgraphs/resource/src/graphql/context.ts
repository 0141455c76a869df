import type { BaseContext } from '@ytm/subgraph';
import type { AccountService } from '../domain/account.service.js';
import type { ApiKeyService } from '../domain/api-key.service.js';
import type { LikeService } from '../domain/like.service.js';
import type { PlanService } from '../domain/plan.service.js';
import type { PlaylistService } from '../domain/playlist.service.js';
import type { UserDirectoryService } from '../domain/user-directory.service.js';
import type { UserService } from '../domain/user.service.js';
import { createLoaders, type LoaderSources, type Loaders } from './loaders.js';

export interface ResourceServices extends LoaderSources {
  accounts: AccountService;
  apiKeys: ApiKeyService;
  plans: PlanService;
  playlists: PlaylistService;
  likes: LikeService;
  users: UserService;
  directory: UserDirectoryService;
}

export interface ResourceContext extends BaseContext {
  services: ResourceServices;
  loaders: Loaders;
  /** Users this request just authenticated as (signUp/signIn/refresh), who may read their own private fields. */
  selfIds: Set<string>;
}

export function createContext(services: ResourceServices) {
  return (base: BaseContext): ResourceContext => ({
    ...base,
    services,
    selfIds: new Set<string>(),
    loaders: createLoaders(services, base.viewer?.id),
  });
}
