import { beforeEach, describe, expect, it } from '@jest/globals';
import { RegistryService, type Registration, type RegistrationInput } from '../../src/registry/registry.service.js';

const library: RegistrationInput = {
  name: 'library',
  instanceId: 'lib-1',
  graphqlUrl: 'http://127.0.0.1:4001/graphql',
  httpUrl: 'http://127.0.0.1:4001',
  sdl: 'type Query { tracks: [String] }',
  version: '1.0.0',
};
const stream: RegistrationInput = { ...library, name: 'stream', instanceId: 'str-1', graphqlUrl: 'http://127.0.0.1:4003/graphql' };

describe('RegistryService', () => {
  let now: number;
  let ids: number;
  let changes: Array<readonly Registration[]>;
  let expired: Registration[];
  let registry: RegistryService;

  beforeEach(() => {
    now = 1_000_000;
    ids = 0;
    changes = [];
    expired = [];
    registry = new RegistryService({
      heartbeatIntervalMs: 1_000,
      clock: () => now,
      newLeaseId: () => `lease-${++ids}`,
      onExpired: (r) => expired.push(r),
    });
    registry.onChange((regs) => changes.push(regs));
  });

  it('registers, returns the heartbeat interval and lists with ages', () => {
    expect(registry.register(library)).toEqual({ leaseId: 'lease-1', heartbeatIntervalMs: 1_000 });
    now += 2_500;
    expect(registry.heartbeat('lease-1')).toBe(true);
    now += 900;
    expect(registry.list()).toEqual([
      {
        name: 'library',
        instanceId: 'lib-1',
        graphqlUrl: library.graphqlUrl,
        httpUrl: library.httpUrl,
        version: '1.0.0',
        ageSeconds: 3,
        lastSeenSecondsAgo: 0,
      },
    ]);
  });

  it('keeps a lease alive while heartbeats arrive and expires it after three missed ones', () => {
    const { leaseId } = registry.register(library);
    for (let i = 0; i < 10; i += 1) {
      now += 1_000;
      expect(registry.heartbeat(leaseId)).toBe(true);
    }
    now += 3_000;
    expect(registry.active()).toHaveLength(1);
    now += 1;
    expect(registry.active()).toHaveLength(0);
    expect(expired.map((r) => r.instanceId)).toEqual(['lib-1']);
    expect(registry.heartbeat(leaseId)).toBe(false);
    expect(changes.at(-1)).toEqual([]);
  });

  it('expires through sweep() without any read', () => {
    registry.register(library);
    now += 3_001;
    expect(registry.sweep()).toBe(1);
    expect(registry.sweep()).toBe(0);
    expect(changes.map((c) => c.length)).toEqual([1, 0]);
  });

  it('answers unknown leases with false (e.g. after a router restart)', () => {
    expect(registry.heartbeat('never-issued')).toBe(false);
    expect(registry.deregister('never-issued')).toBe(false);
  });

  it('replaces the registration of the same instance and revokes its old lease', () => {
    const first = registry.register(library);
    now += 500;
    const second = registry.register(library);
    expect(second.leaseId).not.toBe(first.leaseId);
    expect(registry.heartbeat(first.leaseId)).toBe(false);
    expect(registry.heartbeat(second.leaseId)).toBe(true);
    expect(registry.active()).toHaveLength(1);
    // registeredAt survives a re-register, so /health shows how long the instance has been up
    expect(registry.active()[0]?.registeredAt).toBe(1_000_000);
  });

  it('keeps several instances of one subgraph apart', () => {
    registry.register(library);
    registry.register({ ...library, instanceId: 'lib-2' });
    registry.register(stream);
    expect(registry.active().map((r) => `${r.name}/${r.instanceId}`)).toEqual(['library/lib-1', 'library/lib-2', 'stream/str-1']);
  });

  it('fires onChange when the set, an SDL or a URL changes, not on a plain re-register', () => {
    registry.register(library);
    registry.register(stream);
    registry.register(library);
    registry.register({ ...library, version: '1.0.1' });
    expect(changes).toHaveLength(2);
    registry.register({ ...library, sdl: 'type Query { albums: [String] }' });
    expect(changes).toHaveLength(3);
    expect(changes.at(-1)?.find((r) => r.name === 'library')?.sdl).toBe('type Query { albums: [String] }');
    registry.register({ ...library, sdl: 'type Query { albums: [String] }', graphqlUrl: 'http://10.0.0.2:4001/graphql' });
    expect(changes).toHaveLength(4);
    const streamLease = registry.active().find((r) => r.name === 'stream')?.leaseId ?? '';
    expect(registry.deregister(streamLease)).toBe(true);
    expect(changes).toHaveLength(5);
    expect(changes.at(-1)?.map((r) => r.name)).toEqual(['library']);
  });

  it('stops notifying after unsubscribe and survives a throwing listener', () => {
    const errors: unknown[] = [];
    const quiet = new RegistryService({ onListenerError: (err) => errors.push(err) });
    const seen: number[] = [];
    quiet.onChange(() => {
      throw new Error('listener broke');
    });
    const off = quiet.onChange((regs) => seen.push(regs.length));
    quiet.register(library);
    off();
    quiet.register(stream);
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(2);
  });

  it('hands out copies, so callers cannot corrupt the registry', () => {
    registry.register(library);
    const [copy] = registry.active();
    if (copy) copy.lastSeenAt = 0;
    now += 1_000;
    expect(registry.active()).toHaveLength(1);
  });
});
