import { describe, expect, it } from '@jest/globals';
import { matchesCondition } from '../../src/by-id.js';

// MongoDB's meaning of each condition, checked in memory by updateOneById/deleteOneById on FerretDB.
describe('matchesCondition', () => {
  const at = new Date('2026-01-02T03:04:05Z');
  const doc = { _id: 'a', holder: 'h1', until: at, plan: { tier: 'FREE', expiresAt: null }, _outbox: [], tags: ['x', 'y'], n: 3 };

  it('equality of scalars, Dates and dotted paths; null matches null and a missing field', () => {
    expect(matchesCondition(doc, { holder: 'h1', until: new Date(at.getTime()), 'plan.tier': 'FREE', 'plan.expiresAt': null })).toBe(true);
    expect(matchesCondition(doc, { holder: 'h2' })).toBe(false);
    expect(matchesCondition(doc, { until: new Date(at.getTime() + 1) })).toBe(false);
    expect(matchesCondition(doc, { 'plan.tier': 'PREMIUM' })).toBe(false);
    expect(matchesCondition(doc, { missing: null })).toBe(true);
    expect(matchesCondition(doc, { holder: null })).toBe(false);
    expect(matchesCondition(doc, { tags: 'y' })).toBe(true);
    expect(matchesCondition(doc, { n: '3' })).toBe(false);
  });

  it('$ne matches a missing field and not an equal one', () => {
    expect(matchesCondition(doc, { _deleted: { $ne: true } })).toBe(true);
    expect(matchesCondition({ ...doc, _deleted: false }, { _deleted: { $ne: true } })).toBe(true);
    expect(matchesCondition({ ...doc, _deleted: true }, { _deleted: { $ne: true } })).toBe(false);
    expect(matchesCondition(doc, { tags: { $ne: 'x' } })).toBe(false);
  });

  it('$exists on an array element: an empty, a missing and a pending outbox', () => {
    const idle = { '_outbox.0': { $exists: false } };
    expect(matchesCondition(doc, idle)).toBe(true);
    expect(matchesCondition({ _id: 'b' }, idle)).toBe(true);
    expect(matchesCondition({ ...doc, _outbox: [{ id: 'e1' }] }, idle)).toBe(false);
    expect(matchesCondition({ ...doc, _outbox: [{ id: 'e1' }] }, { '_outbox.0': { $exists: true } })).toBe(true);
  });

  it('range operators on Dates and numbers, never across types or on a missing field', () => {
    expect(matchesCondition(doc, { until: { $lte: at } })).toBe(true);
    expect(matchesCondition(doc, { until: { $lt: at } })).toBe(false);
    expect(matchesCondition(doc, { until: { $gte: new Date(at.getTime() - 1), $lt: new Date(at.getTime() + 1) } })).toBe(true);
    expect(matchesCondition(doc, { n: { $gt: 2 } })).toBe(true);
    expect(matchesCondition(doc, { n: { $gt: '2' } })).toBe(false);
    expect(matchesCondition(doc, { missing: { $lte: at } })).toBe(false);
  });

  it('refuses what it does not understand instead of guessing', () => {
    expect(() => matchesCondition(doc, { n: { $in: [3] } })).toThrow(/unsupported condition operator \$in/);
    expect(() => matchesCondition(doc, { $or: [{ n: 3 }] })).toThrow(/unsupported condition key/);
    expect(() => matchesCondition(doc, { _id: 'a' })).toThrow(/unsupported condition key _id/);
    expect(() => matchesCondition(doc, { plan: { tier: 'FREE' } })).toThrow(/unsupported condition value/);
  });
});
