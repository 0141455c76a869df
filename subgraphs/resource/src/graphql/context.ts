import DataLoader from 'dataloader';
import type { BaseContext } from '@ytm/subgraph';
import { currentClientAddress } from '../http/client-address.js';
import type { AccountService } from '../domain/account.service.js';
import type { PlanService } from '../domain/plan.service.js';
import type { UserRepository } from '../domain/ports.js';
import type { User } from '../domain/user.js';

export interface ResourceServices {
  accounts: AccountService;
  plans: PlanService;
  users: UserRepository;
}

export interface ResourceContext extends BaseContext {
  services: ResourceServices;
  loaders: { user: DataLoader<string, User | null> };
  /** Users this request just authenticated as (signUp/signIn/refresh), who may read their own private fields. */
  selfIds: Set<string>;
  /** For per-address sign-in throttling. */
  clientAddress: string | undefined;
}

/** Per-request context: fresh dataloaders so batching never leaks across users. */
export function createContext(services: ResourceServices) {
  return (base: BaseContext): ResourceContext => ({
    ...base,
    services,
    selfIds: new Set<string>(),
    clientAddress: currentClientAddress(),
    loaders: {
      user: new DataLoader<string, User | null>(async (ids) => {
        const users = await services.users.findByIds(ids);
        const byId = new Map(users.map((u) => [u.id, u]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    },
  });
}
