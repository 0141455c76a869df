import { describe, expect, it } from '@jest/globals';
import { withDocumentLock } from '../../src/document-lock.js';

describe('withDocumentLock', () => {
  it('serialises work on one document and lets other documents run concurrently', async () => {
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}:end`);
      return name;
    };
    const results = await Promise.all([
      withDocumentLock('c', 1, step('a', 20)),
      withDocumentLock('c', 1, step('b', 1)),
      withDocumentLock('c', 2, step('x', 1)),
    ]);
    expect(results).toEqual(['a', 'b', 'x']);
    expect(log.indexOf('a:end')).toBeLessThan(log.indexOf('b:start'));
    expect(log.indexOf('x:end')).toBeLessThan(log.indexOf('a:end'));
  });

  it('keeps going after a failure', async () => {
    await expect(withDocumentLock('c', 3, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withDocumentLock('c', 3, async () => 'ok')).resolves.toBe('ok');
  });
});
