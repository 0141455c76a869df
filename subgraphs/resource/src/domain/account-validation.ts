import { BadUserInputError } from '@ytm/errors';

export const PASSWORD_MIN_LENGTH = 8;
/** Passwords are pre-hashed with HMAC before bcrypt, so length is only bounded against abuse. */
export const PASSWORD_MAX_LENGTH = 1024;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{1,63}$/;

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw new BadUserInputError('Email address is not valid', 'email');
  return email;
}

export function checkPassword(password: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) throw new BadUserInputError(`Password must have at least ${PASSWORD_MIN_LENGTH} characters`, field);
  if (length > PASSWORD_MAX_LENGTH) throw new BadUserInputError(`Password must have at most ${PASSWORD_MAX_LENGTH} characters`, field);
}

export function normaliseDisplayName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > 100) throw new BadUserInputError('Display name must have 1 to 100 characters', 'displayName');
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadUserInputError('Display name may not contain control characters', 'displayName');
  return name;
}
