import { describe, expect, it } from '@jest/globals';
import { HealthService, LibraryService, RegistryService, ResourceService, StreamService } from '@ytm/proto';
import { SERVICE_ACCESS, SERVICE_IDENTITIES } from '../../src/index.js';

describe('the service access table', () => {
  it('lists every method of every gRPC service in proto/, and nothing else', () => {
    const methods = [RegistryService, LibraryService, StreamService, ResourceService, HealthService].flatMap((service) =>
      Object.values(service).map((m) => m.path),
    );
    expect(Object.keys(SERVICE_ACCESS).sort()).toEqual(methods.sort());
  });

  it('names only known identities, and makes only health public', () => {
    for (const [method, access] of Object.entries(SERVICE_ACCESS)) {
      if (access.callers === 'anyone') {
        expect(method.startsWith('/grpc.health.v1.Health/')).toBe(true);
        continue;
      }
      for (const caller of access.callers) expect(SERVICE_IDENTITIES).toContain(caller);
      expect(SERVICE_IDENTITIES).toContain(access.servedBy);
    }
  });

  it('lets RevokeTickets come only from resource and GetTrackFile only from stream', () => {
    expect(SERVICE_ACCESS[StreamService.revokeTickets.path]?.callers).toEqual(['resource']);
    expect(SERVICE_ACCESS[LibraryService.getTrackFile.path]?.callers).toEqual(['stream']);
    expect(SERVICE_ACCESS[RegistryService.register.path]?.callers).not.toContain('router');
  });
});
