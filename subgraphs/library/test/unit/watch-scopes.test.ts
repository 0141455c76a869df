import { describe, expect, it } from '@jest/globals';
import { mergeScopes } from '../../src/watcher/library.watcher.js';

describe('mergeScopes', () => {
  it('keeps touched folders and lets a recursive scope swallow what is under it', () => {
    const merged = mergeScopes([
      { dir: '/m/a', recursive: false },
      { dir: '/m/a', recursive: false },
      { dir: '/m/b', recursive: true },
      { dir: '/m/b/c', recursive: false },
      { dir: '/m/b', recursive: false },
      { dir: '/m/bb', recursive: false },
    ]);
    expect(merged).toEqual([
      { dir: '/m/a', recursive: false },
      { dir: '/m/b', recursive: true },
      { dir: '/m/bb', recursive: false },
    ]);
  });
});
