import { createHmac } from 'node:crypto';
import type { PasswordHasher } from '../domain/ports.js';
import { threadPoolBcrypt, type BcryptEngine } from './low-priority-bcrypt.js';

/**
 * bcrypt over an HMAC-SHA256 of the password. bcrypt ignores bytes past 72; the keyed pre-hash
 * (44 ASCII bytes) makes every byte of a long passphrase count without truncation.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly pepper: Buffer,
    private readonly cost: number,
    private readonly engine: BcryptEngine = threadPoolBcrypt,
  ) {
    this.dummyHash = engine.hash('dummy password for timing', cost);
  }

  hash(password: string): Promise<string> {
    return this.engine.hash(this.prehash(password), this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.engine.compare(this.prehash(password), hash);
  }

  async verifyDummy(password: string): Promise<void> {
    await this.engine.compare(this.prehash(password), await this.dummyHash);
  }

  private prehash(password: string): string {
    return createHmac('sha256', this.pepper).update(password.normalize('NFC'), 'utf8').digest('base64');
  }
}
