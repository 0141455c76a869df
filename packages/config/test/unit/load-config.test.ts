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
