import type { Collection } from 'mongoose';
import type { Logger } from '@ytm/logger';

/** A lookup collection (`_id` = a natural key → `ref`) kept beside the documents it finds. */
export interface LookupSpec {
  /** For the log: e.g. `user_emails`. */
  name: string;
  lookups: Collection;
  source: Collection;
  /** The source documents that must be findable (e.g. live sessions only). */
  filter: Record<string, unknown>;
  projection: Record<string, 1>;
  /** The lookup document a source document needs; null when it needs none. */
  entry(doc: Record<string, unknown>): { _id: string; ref: string; fields: Record<string, unknown> } | null;
  /** The field of a lookup document that holds `ref`. */
  refField: string;
}

export interface BackfillResult {
  checked: number;
  added: number;
  repointed: number;
}

/**
 * Writes the lookup documents that source documents written before the lookup existed (or by an
 * older replica) lack, and repoints any that disagree with their source. Runs at every start,
 * before the service answers: one read of each collection (the only scans this adds, none on a
 * request path), then inserts in batches with progress logged. Idempotent and safe on every
 * replica at once: an insert that loses to another replica's is a duplicate, ignored.
 */
export async function backfillLookup(spec: LookupSpec, logger: Logger, batch = 500): Promise<BackfillResult> {
  const started = Date.now();
  const existing = new Map<string, unknown>();
  for await (const d of spec.lookups.find({}, { projection: { [spec.refField]: 1 } })) existing.set(String(d._id), d[spec.refField]);
  const missing: Array<{ _id: string; fields: Record<string, unknown> }> = [];
  const wrong: Array<{ _id: string; fields: Record<string, unknown> }> = [];
  let checked = 0;
  for await (const d of spec.source.find(spec.filter, { projection: spec.projection })) {
    checked += 1;
    const e = spec.entry(d);
    if (!e) continue;
    if (!existing.has(e._id)) missing.push(e);
    else if (existing.get(e._id) !== e.ref) wrong.push(e);
  }
  const result: BackfillResult = { checked, added: 0, repointed: 0 };
  if (missing.length === 0 && wrong.length === 0) return result;
  logger.info({ lookup: spec.name, checked, missing: missing.length, wrong: wrong.length }, 'backfilling lookup documents');
  for (let i = 0; i < missing.length; i += batch) {
    result.added += await insertIgnoringDuplicates(
      spec.lookups,
      missing.slice(i, i + batch).map((e) => ({ _id: e._id, ...e.fields })),
    );
    logger.info({ lookup: spec.name, done: Math.min(i + batch, missing.length), of: missing.length }, 'backfill progress');
  }
  for (const e of wrong) {
    await spec.lookups.deleteOne({ _id: e._id as never });
    result.repointed += await insertIgnoringDuplicates(spec.lookups, [{ _id: e._id, ...e.fields }]);
  }
  logger.info({ lookup: spec.name, ...result, ms: Date.now() - started }, 'lookup documents backfilled');
  return result;
}

async function insertIgnoringDuplicates(collection: Collection, docs: Array<Record<string, unknown>>): Promise<number> {
  try {
    return (await collection.insertMany(docs, { ordered: false })).insertedCount;
  } catch (err) {
    const e = err as { writeErrors?: Array<{ code?: number }>; insertedCount?: number; result?: { insertedCount?: number } };
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [];
    if (errors.length === 0 || !errors.every((w) => w.code === 11000)) throw err;
    return e.insertedCount ?? e.result?.insertedCount ?? docs.length - errors.length;
  }
}
