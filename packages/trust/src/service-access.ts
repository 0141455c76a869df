import { HealthService, LibraryService, RegistryService, ResourceService, StreamService } from '@ytm/proto';

/** Every service identity there is; replicas of a service share its identity (and its key). */
export const SERVICE_IDENTITIES = ['router', 'library', 'resource', 'stream', 'subsonic'] as const;
export type ServiceIdentityName = (typeof SERVICE_IDENTITIES)[number];

export interface MethodAccess {
  /** The identity that serves the method: callers address their tokens to it. `any` for methods every server has. */
  servedBy: ServiceIdentityName | 'any';
  /** Who may call it; `anyone` means no credentials are needed (probes). */
  callers: readonly ServiceIdentityName[] | 'anyone';
  /** Further checks the handler makes with the caller's identity. */
  also?: string;
}

/**
 * THE table of who may call which internal gRPC method (the README repeats it). A method that
 * is not listed here cannot be called by anyone: the guard refuses it with PERMISSION_DENIED.
 */
export const SERVICE_ACCESS: Readonly<Record<string, MethodAccess>> = {
  [RegistryService.register.path]: { servedBy: 'router', callers: ['library', 'resource', 'stream', 'subsonic'], also: 'only under its own name' },
  [RegistryService.heartbeat.path]: { servedBy: 'router', callers: ['library', 'resource', 'stream', 'subsonic'], also: 'only its own leases' },
  [RegistryService.deregister.path]: { servedBy: 'router', callers: ['library', 'resource', 'stream', 'subsonic'], also: 'only its own leases' },
  [LibraryService.getTrackFile.path]: { servedBy: 'library', callers: ['stream'] },
  [LibraryService.batchGetTracks.path]: { servedBy: 'library', callers: ['resource'] },
  [StreamService.revokeTickets.path]: { servedBy: 'stream', callers: ['resource'] },
  [ResourceService.getUser.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.authenticateApiKey.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.verifyPassword.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.listAnnotations.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.setRating.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.setStarred.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.getPlayQueue.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.savePlayQueue.path]: { servedBy: 'resource', callers: ['subsonic'] },
  [ResourceService.likesOfUsers.path]: { servedBy: 'resource', callers: ['router'], also: 'only for its authenticated subscribers' },
  [HealthService.check.path]: { servedBy: 'any', callers: 'anyone' },
  [HealthService.watch.path]: { servedBy: 'any', callers: 'anyone' },
};

/** The table's row for a method, undefined when it is not listed. */
export function accessOf(method: string): MethodAccess | undefined {
  return Object.hasOwn(SERVICE_ACCESS, method) ? SERVICE_ACCESS[method] : undefined;
}

export function isServiceIdentity(name: string): name is ServiceIdentityName {
  return (SERVICE_IDENTITIES as readonly string[]).includes(name);
}
