import { storeOf, type StoreClient } from './store-info.js';

/**
 * Conditional writes of one document by `_id` that stay index seeks on FerretDB.
 *
 * FerretDB 1.24 (SQLite) finds a document by index only for a filter of exactly `{ _id: <value> }`;
 * `_id` with any other condition reads every document of the collection (measured: an update of
 * `{ _id, _deleted: { $ne: true } }` took 1.1 s at 50,000 documents, against ~2 ms by `_id` alone,
 * bench/scale/by-id-writes.mjs),
 * and the time grows with it. FerretDB applies a conditional write as a read, a check and a
 * write-back without a lock anyway (concurrent updates of one document lose some), so here that
 * read and check are made by `_id` and the write is sent by `_id` alone: two seeks, whatever the
 * collection's size. What differs is the window between the check and the write: two round trips
 * instead of FerretDB's own read of the collection, so a writer on another replica can still slip
 * in between. Writes of one document in one process are serialised by the callers
 * (`withDocumentLock`); where a stall between check and write must not win against another
 * replica (stream's leases: a handful of documents) the whole filter is sent instead. On MongoDB,
 * where the whole filter is one atomic index lookup, the write is sent as is.
 *
 * Conditions are the subset `matchesCondition` understands (equality, `$ne`, `$exists`, `$lt`,
 * `$lte`, `$gt`, `$gte` on dotted paths); anything else is refused before anything is written.
 */

/** The part of a driver collection (or mongoose's `Model.collection`) these writes use. */
export interface ByIdCollection {
  findOne(filter: never, options?: { projection?: Record<string, 0 | 1> }): Promise<unknown>;
  updateOne(filter: never, update: never): Promise<{ matchedCount: number; modifiedCount: number }>;
  deleteOne(filter: never): Promise<{ deletedCount: number }>;
}

type Condition = Readonly<Record<string, unknown>>;
/** A string or an ObjectId. */
type DocumentId = string | { toHexString(): string };

const OPERATORS = new Set(['$ne', '$exists', '$lt', '$lte', '$gt', '$gte']);

/** The value at a dotted path (`plan.tier`, `_outbox.0`), `undefined` where the path ends early. */
function valueAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const comparable = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

/** MongoDB's equality of a stored value and a condition's scalar: `null` also matches a missing field. */
function equals(stored: unknown, wanted: unknown): boolean {
  if (wanted === null) return stored === null || stored === undefined;
  if (Array.isArray(stored)) return stored.some((e) => equals(e, wanted));
  return comparable(stored) === comparable(wanted);
}

function compare(stored: unknown, op: string, bound: unknown): boolean {
  const a = comparable(stored);
  const b = comparable(bound);
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const y = b as typeof a;
  return op === '$lt' ? a < y : op === '$lte' ? a <= y : op === '$gt' ? a > y : a >= y;
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v) && Object.keys(v).some((k) => k.startsWith('$'));
}

/** Throws on a condition outside the understood subset (a programming error, caught before any write). */
export function checkCondition(condition: Condition): void {
  for (const [path, wanted] of Object.entries(condition)) {
    if (path.startsWith('$') || path === '_id') throw new Error(`unsupported condition key ${path}`);
    if (isOperatorObject(wanted)) {
      for (const op of Object.keys(wanted)) if (!OPERATORS.has(op)) throw new Error(`unsupported condition operator ${op} on ${path}`);
    } else if (wanted !== null && typeof wanted === 'object' && !(wanted instanceof Date)) {
      throw new Error(`unsupported condition value on ${path}: compare scalars or Dates`);
    }
  }
}

/** Whether a document matches a condition as MongoDB would (for the subset `checkCondition` accepts). */
export function matchesCondition(doc: unknown, condition: Condition): boolean {
  checkCondition(condition);
  return matches(doc, condition);
}

function matches(doc: unknown, condition: Condition): boolean {
  return Object.entries(condition).every(([path, wanted]) => {
    const stored = valueAt(doc, path);
    if (!isOperatorObject(wanted)) return equals(stored, wanted);
    return Object.entries(wanted).every(([op, arg]) => {
      if (op === '$ne') return !equals(stored, arg);
      if (op === '$exists') return (stored !== undefined) === Boolean(arg);
      return compare(stored, op, arg);
    });
  });
}

/** The top-level fields a condition reads (what the read by `_id` projects). */
function projectionOf(condition: Condition): Record<string, 1> {
  return Object.fromEntries(Object.keys(condition).map((path) => [path.split('.')[0]!, 1 as const]));
}

/** Whether the collection's store is FerretDB: a driver collection has its client, mongoose's its connection's. */
async function onFerretDb(collection: ByIdCollection): Promise<boolean> {
  const c = collection as unknown as { client?: StoreClient; conn?: { getClient(): StoreClient } };
  const client = c.client ?? c.conn?.getClient();
  return client !== undefined && (await storeOf(client)).ferretdb;
}

async function seekAndCheck(collection: ByIdCollection, id: DocumentId, condition: Condition): Promise<boolean> {
  const doc = await collection.findOne({ _id: id } as never, { projection: projectionOf(condition) });
  return doc !== null && doc !== undefined && matches(doc, condition);
}

/** `updateOne({ _id: id, ...condition }, update)`, as index seeks on FerretDB too (see above). */
export async function updateOneById(
  collection: ByIdCollection,
  id: DocumentId,
  condition: Condition,
  update: Record<string, unknown>,
): Promise<{ matchedCount: number; modifiedCount: number }> {
  checkCondition(condition);
  if (!(await onFerretDb(collection))) return collection.updateOne({ ...condition, _id: id } as never, update as never);
  if (!(await seekAndCheck(collection, id, condition))) return { matchedCount: 0, modifiedCount: 0 };
  return collection.updateOne({ _id: id } as never, update as never);
}

/** `deleteOne({ _id: id, ...condition })`, as index seeks on FerretDB too (see above). */
export async function deleteOneById(collection: ByIdCollection, id: DocumentId, condition: Condition): Promise<{ deletedCount: number }> {
  checkCondition(condition);
  if (!(await onFerretDb(collection))) return collection.deleteOne({ ...condition, _id: id } as never);
  if (!(await seekAndCheck(collection, id, condition))) return { deletedCount: 0 };
  return collection.deleteOne({ _id: id } as never);
}
