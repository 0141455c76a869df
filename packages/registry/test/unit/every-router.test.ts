import { afterEach, describe, expect, it } from '@jest/globals';
import { registerWithEveryRouter, type EveryRouterRegistration } from '../../src/every-router.js';
import type { Registration, RegistrationOptions } from '../../src/registry.grpc-client.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Records which registries an instance registered with and deregistered from. */
function recorder() {
  const started: string[] = [];
  const stopped: string[] = [];
  const start = (o: RegistrationOptions): Registration => {
    started.push(o.registryUrl);
    return { stop: async () => void stopped.push(o.registryUrl) };
  };
  return { started, stopped, start };
}

const base = {
  name: 'library',
  credentials: { metadata: async () => ({}) } as never,
  instanceId: 'library-1',
  graphqlUrl: 'http://10.0.0.9:4001/graphql',
  httpUrl: 'http://10.0.0.9:4001',
  sdl: 'type Query { a: Int }',
  version: '1',
  logger: quiet,
  loggerFor: () => quiet,
  resolveEveryMs: 60_000,
};

describe('registerWithEveryRouter', () => {
  let reg: EveryRouterRegistration | undefined;
  afterEach(async () => {
    await reg?.stop();
  });

  it('registers with each address a router name resolves to, and with literal addresses as given', async () => {
    const r = recorder();
    reg = registerWithEveryRouter({
      ...base,
      registryUrls: 'router:50050, 127.0.0.1:50060,[::1]:50070',
      resolve: async (host) => (host === 'router' ? ['10.0.0.2', '10.0.0.3'] : []),
      start: r.start,
    });
    await reg.refresh();
    expect(reg.targets().sort()).toEqual(['10.0.0.2:50050', '10.0.0.3:50050', '127.0.0.1:50060', '[::1]:50070']);
    expect(r.started.sort()).toEqual(['10.0.0.2:50050', '10.0.0.3:50050', '127.0.0.1:50060', '[::1]:50070']);
  });

  it('follows the name: a new router is registered with, a router gone from it is deregistered from', async () => {
    const r = recorder();
    let addresses = ['10.0.0.2'];
    reg = registerWithEveryRouter({ ...base, registryUrls: 'router:50050', resolve: async () => addresses, start: r.start });
    await reg.refresh();
    expect(reg.targets()).toEqual(['10.0.0.2:50050']);
    addresses = ['10.0.0.2', '10.0.0.4'];
    await reg.refresh();
    expect(reg.targets().sort()).toEqual(['10.0.0.2:50050', '10.0.0.4:50050']);
    addresses = ['10.0.0.4'];
    await reg.refresh();
    expect(reg.targets()).toEqual(['10.0.0.4:50050']);
    expect(r.started).toEqual(['10.0.0.2:50050', '10.0.0.4:50050']);
    expect(r.stopped).toEqual(['10.0.0.2:50050']);
  });

  it('keeps its registrations while the name does not resolve, and starts once it does', async () => {
    const r = recorder();
    let answer: string[] | Error = new Error('getaddrinfo ENOTFOUND router');
    reg = registerWithEveryRouter({
      ...base,
      registryUrls: 'router:50050',
      resolve: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
      start: r.start,
    });
    await reg.refresh();
    expect(reg.targets()).toEqual([]);
    answer = ['10.0.0.2'];
    await reg.refresh();
    expect(reg.targets()).toEqual(['10.0.0.2:50050']);
    answer = new Error('getaddrinfo EAI_AGAIN router');
    await reg.refresh();
    expect(reg.targets()).toEqual(['10.0.0.2:50050']);
    expect(r.stopped).toEqual([]);
  });

  it('deregisters from every router on stop', async () => {
    const r = recorder();
    reg = registerWithEveryRouter({ ...base, registryUrls: 'router:50050', resolve: async () => ['10.0.0.2', '10.0.0.3'], start: r.start });
    await reg.refresh();
    await reg.stop();
    expect(r.stopped.sort()).toEqual(['10.0.0.2:50050', '10.0.0.3:50050']);
    expect(reg.targets()).toEqual([]);
  });

  it('refuses an entry that is not host:port', () => {
    expect(() => registerWithEveryRouter({ ...base, registryUrls: 'router', start: recorder().start })).toThrow('REGISTRY_URL entry "router" is not host:port');
  });
});
