import { describe, expect, it } from '@jest/globals';
import { currentTraceparent, parseTraceparent, runWithTrace, traceFrom } from '../../src/index.js';

describe('trace context', () => {
  it('continues a valid traceparent with a new span', () => {
    const t = traceFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(t.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(t.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(t.spanId).not.toBe('00f067aa0ba902b7');
  });

  it('starts a new trace for missing or invalid headers', () => {
    for (const h of [
      undefined,
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ]) {
      expect(parseTraceparent(h)).toBeUndefined();
      expect(traceFrom(h).traceId).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('is visible through async work inside runWithTrace only', async () => {
    const t = traceFrom(undefined);
    const seen = await runWithTrace(t, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentTraceparent();
    });
    expect(seen).toBe(`00-${t.traceId}-${t.spanId}-01`);
    expect(currentTraceparent()).toBeUndefined();
  });
});
