import { describe, expect, it } from '@jest/globals';
import { ConfigError, env, loadConfig } from '../../src/index.js';

describe('loadConfig', () => {
  const shape = { PORT: env.port(4000), BROKERS: env.list('a:1'), DEBUG: env.bool(false), SECRET_KEY: env.string('x') };

  it('applies defaults and coerces values', () => {
    expect(loadConfig('svc', shape, { BROKERS: 'k1:9092, k2:9092', DEBUG: 'yes' })).toEqual({
      PORT: 4000,
      BROKERS: ['k1:9092', 'k2:9092'],
      DEBUG: true,
      SECRET_KEY: 'x',
    });
  });

  it('lists every bad variable at once and never echoes secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig('svc', shape, { PORT: '99999', DEBUG: 'maybe', SECRET_KEY: '' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(3);
    expect(error!.message).toMatch(/PORT/);
    expect(error!.message).toMatch(/DEBUG/);
    expect(error!.message).toMatch(/SECRET_KEY.*\[redacted\]/);
  });
});

describe('env.store', () => {
  const shape = env.store('ytm_things');

  it('defaults to the local store, the service database, 20 connections and `auto` writes', () => {
    expect(loadConfig('svc', shape, {})).toEqual({
      MONGODB_URL: 'mongodb://127.0.0.1:27017',
      MONGODB_DB: 'ytm_things',
      MONGODB_MAX_POOL_SIZE: 20,
      MONGODB_MAX_CONCURRENT_WRITES: 'auto',
    });
  });

  it('takes a number of writes at once, 0 for any', () => {
    expect(loadConfig('svc', shape, { MONGODB_MAX_CONCURRENT_WRITES: '0' }).MONGODB_MAX_CONCURRENT_WRITES).toBe(0);
    expect(loadConfig('svc', shape, { MONGODB_MAX_CONCURRENT_WRITES: '4' }).MONGODB_MAX_CONCURRENT_WRITES).toBe(4);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig('svc', shape, { MONGODB_MAX_CONCURRENT_WRITES: 'many' })).toThrow(
      /MONGODB_MAX_CONCURRENT_WRITES: expected 'auto' or a whole number from 0 to 500 \(got "many"\)/,
    );
    for (const bad of ['-1', '2.5', '501']) {
      expect(() => loadConfig('svc', shape, { MONGODB_MAX_CONCURRENT_WRITES: bad })).toThrow(/MONGODB_MAX_CONCURRENT_WRITES: .*\(got/);
    }
    expect(() => loadConfig('svc', shape, { MONGODB_MAX_POOL_SIZE: '0' })).toThrow(/MONGODB_MAX_POOL_SIZE/);
  });
});
