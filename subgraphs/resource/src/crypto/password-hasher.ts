import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../domain/ports.js';

/**
 * bcrypt over an HMAC-SHA256 of the password. bcrypt ignores bytes past 72; the keyed pre-hash
 * (44 ASCII bytes) makes every byte of a long passphrase count without truncation.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly pepper: Buffer,
    private readonly cost: number,
  ) {
    this.dummyHash = bcrypt.hash('dummy password for timing', cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(this.prehash(password), this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(this.prehash(password), hash);
  }

  async verifyDummy(password: string): Promise<void> {
    await bcrypt.compare(this.prehash(password), await this.dummyHash);
  }

  private prehash(password: string): string {
    return createHmac('sha256', this.pepper).update(password.normalize('NFC'), 'utf8').digest('base64');
  }
}
