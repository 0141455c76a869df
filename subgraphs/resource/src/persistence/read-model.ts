import { isDeepStrictEqual } from 'node:util';
import type { Collection } from 'mongoose';
import { isDuplicateKeyError, upsert } from '@ytm/mongo';
import type { Logger } from '@ytm/logger';

/** The collection of every read model's versions and heads. */
export const READ_MODELS = 'read_models';
/** The collection of changes whose read-model update is in flight (ReadModelIntents). */
export const READ_MODEL_INTENTS = 'read_model_intents';

/**
 * How long a replica trusts the version it holds in memory as a starting point without checking
 * that it still exists (see `latest`). Housekeeping deletes a superseded version only
 * `SUPERSEDED_RETENTION_MS` after its successor was committed, far beyond this plus any clock skew
 * between replicas, so a version a replica trusts is never one whose successor is gone.
 */
export const HELD_TRUST_MS = 60_000;
/** A superseded version is deleted by `pruneReadModels` this long after its successor was committed. */
export const SUPERSEDED_RETENTION_MS = 10 * 60_000;

/**
 * One committed version of a key's value, `_id` = `<model>:<key>#<version>`: the whole value, or,
 * in a list model (`ReadModelOptions.listKey`), the changes since the version that holds the whole
 * value it builds on (`since`, a snapshot). Values no version needs any more are dropped (`$unset`)
 * on commit, leaving a small document; housekeeping deletes superseded documents later
 * (`pruneReadModels`), never version 1 (a backfill's `seed` would take its `_id` again), the
 * newest two below the head, nor a snapshot a kept version builds on.
 */
interface VersionDoc<V> {
  _id: string;
  version: number;
  value?: V;
  /** A list model's version stored as changes: the snapshot they apply to. */
  since?: number;
  /** Every element changed since `since`, each as it is now (`e: null`: gone), oldest change first. */
  changes?: ElementChange<unknown>[];
  committedAt: Date;
}

/** One element of a list model as a version left it: its key, and the element (null: not in the list). */
export interface ElementChange<E> {
  k: string;
  e: E | null;
}

/** `_id` = `<model>:<key>`: the newest version known, a hint (written after each commit, may lag). */
interface HeadDoc {
  _id: string;
  version: number;
}

/** Where a model's values come from before it holds them: scans, only for a backfill or a first build. */
/** Documents grouped by key, each as `entry` makes it (the `all` of a ReadModelSource: one pass over the source). */
export async function groupBy<D, E>(docs: AsyncIterable<D> | Iterable<D>, key: (d: D) => string, entry: (d: D) => E): Promise<Map<string, E[]>> {
  const groups = new Map<string, E[]>();
  for await (const d of docs) {
    const group = groups.get(key(d));
    if (group) group.push(entry(d));
    else groups.set(key(d), [entry(d)]);
  }
  return groups;
}

export interface ReadModelSource<V> {
  /** Every key's value, from one scan of the source collection. */
  all(): Promise<Map<string, V>>;
  /** One key's value, from a scan of the source collection (before the backfill ran). */
  one(key: string): Promise<V>;
  /** The value of a key with nothing in the source. */
  empty(): V;
}

export interface ReadModelOptions<V = unknown> {
  /** Keys whose newest value each replica holds in memory (least recently used leave first). */
  maxKeys?: number;
  /**
   * For a value that is a list of elements each with its own key (a user's likes): a version is
   * stored as the elements it changed since the last snapshot, so a commit writes what changed, not
   * the whole list; a snapshot (the whole list) is written when those changes outgrow
   * `snapshotAfter` of the list's length. The list's order: elements a version did not change keep
   * theirs; changed ones follow, in the order the new value has them.
   */
  listKey?: V extends ReadonlyArray<infer E> ? (element: E) => string : never;
  /** How long a held version is probed from without confirming it (`HELD_TRUST_MS`; tests shorten it to act as a replica that held a version for long). */
  heldTrustMs?: number;
  /** After each version committed here (to tell the other replicas; see `shown`). */
  onCommit?: (key: string, version: number) => void;
  logger?: Logger;
}

/**
 * A version in memory; `checkedAt`: when it was last found to be the newest (ms). In a list model,
 * `since` and `changes`: the snapshot it builds on and what changed since (its successor's base).
 */
type Held<V> = { version: number; value: V; checkedAt?: number; since?: number; changes?: ElementChange<unknown>[] };

/** Changes since a snapshot at most this many, or the square root of the list's length when larger: a commit then writes a snapshot. */
export const MIN_CHANGES_BEFORE_SNAPSHOT = 32;
const snapshotAfter = (length: number) => Math.max(MIN_CHANGES_BEFORE_SNAPSHOT, Math.ceil(Math.sqrt(length)));

/**
 * The elements of `next` that differ from `base` (by key), and those `base` had and `next` has not.
 * Writers build `next` from `base` by filtering and appending, so the elements `next` kept are
 * `base`'s own objects in `base`'s order: those are matched by reference in one pass, and only what
 * is left on either side is compared by key (a like: one element, whatever the list's length).
 */
export function listChanges<E>(base: readonly E[], next: readonly E[], key: (e: E) => string): ElementChange<E>[] {
  const left = new Map<string, E>();
  let j = 0;
  for (const e of base) {
    if (j < next.length && next[j] === e) j++;
    else left.set(key(e), e);
  }
  const changes: ElementChange<E>[] = [];
  for (; j < next.length; j++) {
    const e = next[j]!;
    const k = key(e);
    const was = left.get(k);
    if (was === undefined || (was !== e && !isDeepStrictEqual(was, e))) changes.push({ k, e });
    left.delete(k);
  }
  for (const k of left.keys()) changes.push({ k, e: null });
  return changes;
}

/** `base` with the changes applied: unchanged elements in their order, then the changed ones present. */
export function applyChanges<E>(base: readonly E[], changes: readonly ElementChange<E>[], key: (e: E) => string): E[] {
  const touched = new Set(changes.map((c) => c.k));
  const out = base.filter((e) => !touched.has(key(e)));
  for (const c of changes) if (c.e !== null) out.push(c.e);
  return out;
}

/** The changes of two successive versions as one (applying it equals applying both in turn). */
export function mergeChanges<E>(older: readonly ElementChange<E>[], newer: readonly ElementChange<E>[]): ElementChange<E>[] {
  const touched = new Set(newer.map((c) => c.k));
  return [...older.filter((c) => !touched.has(c.k)), ...newer];
}

/**
 * A per-key value derived from a collection FerretDB can only scan for it (a user's likes, an
 * owner's playlists), kept as a chain of versions readable by `_id` only.
 *
 * A commit inserts version n + 1 on top of the newest version n it found: of concurrent writers
 * exactly one insert succeeds (a unique `_id` is FerretDB's one atomic write); the others read
 * again and retry. So no change is lost without a compare-and-set, and a change computed from the
 * source (`update` reads the source document by `_id` after finding the base) can never be
 * overwritten by a writer that read the source earlier: that writer's insert of the same version
 * fails. A reader holds the newest value in memory and checks it with one read by `_id` (is there a
 * version n + 1?) per request; a held value checked longer than `HELD_TRUST_MS` ago costs a read
 * of the head too, as housekeeping may have deleted the versions after it.
 *
 * A list model (`listKey`) stores most versions as the elements changed since its last snapshot,
 * so a like costs the same whether the user has liked ten tracks or twenty thousand: a replica
 * holding the previous version applies the changes; one that holds nothing reads the newest
 * version and the snapshot it builds on (two reads by `_id`).
 */
export class ReadModel<V> {
  private readonly held = new Map<string, Held<V>>();
  /** Versions other replicas said they committed (`heard`): key → the newest such version, and when it was heard (ms). */
  private readonly heardOf = new Map<string, { version: number; at: number }>();
  private readonly maxKeys: number;
  private state: 'none' | 'running' | 'done' = 'none';
  private scanned: Promise<Map<string, V>> | undefined;

  constructor(
    private readonly docs: Collection,
    private readonly model: string,
    private readonly source: ReadModelSource<V>,
    private readonly options: ReadModelOptions<V> = {},
  ) {
    this.maxKeys = options.maxKeys ?? 2_000;
  }

  /** The key's newest value; one read by `_id` while it is unchanged. */
  async read(key: string): Promise<V> {
    const latest = await this.latest(key);
    if (latest) return latest.value;
    if (this.state === 'done') return this.source.empty();
    // Before the backfill: build it once, for every replica.
    await this.seed(key, await this.initial(key));
    return (await this.latest(key))?.value ?? this.source.empty();
  }

  /**
   * The value this replica holds for the key, without asking the store whether a newer version
   * exists (undefined when it holds none): only for callers that check it against the source.
   */
  heldValue(key: string): V | undefined {
    return this.held.get(key)?.value;
  }

  /**
   * The held value, without a read, when it was found to be the newest less than `maxAgeMs` ago
   * and no replica has since said it committed a newer version (`heard`); else undefined. For what
   * is only shown (never a decision), while every replica's commits reach `heard`: a commit
   * elsewhere is seen once its announcement arrives, a lost one after `maxAgeMs` at most. A probe
   * under way when an announcement arrives is judged by its start: the version it finds is not
   * shown unless it is at least the announced one.
   */
  shown(key: string, maxAgeMs: number, now = Date.now()): V | undefined {
    const held = this.held.get(key);
    if (!held || held.checkedAt === undefined || now - held.checkedAt >= maxAgeMs) return undefined;
    const heard = this.heardOf.get(key);
    if (heard && heard.version > held.version) return undefined;
    return held.value;
  }

  /**
   * Another replica committed this version of the key: `shown` does not answer from an older one.
   * Kept until `forgetAfterMs` (the longest `maxAgeMs` of `shown`) has passed, beyond which no
   * held value checked before it is shown anyway.
   */
  heard(key: string, version: number, forgetAfterMs: number, now = Date.now()): void {
    const before = this.heardOf.get(key);
    this.heardOf.delete(key);
    this.heardOf.set(key, { version: Math.max(version, before?.version ?? 0), at: now });
    // Oldest first (each is re-inserted when heard): drop those no held value can still need.
    for (const [k, h] of this.heardOf) {
      if (now - h.at < forgetAfterMs) break;
      this.heardOf.delete(k);
    }
  }

  /**
   * Commits `apply(newest value)` as the next version, retrying on a concurrent commit; the committed
   * value. An `apply` that returns its base unchanged (the same value, or in a list model the same
   * elements) commits nothing to a key that has versions.
   */
  async update(key: string, apply: (base: V) => Promise<V> | V): Promise<V> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const base = await this.latest(key);
      const start = base ? base.value : await this.initial(key);
      const next = await apply(start);
      // Unchanged (`apply` gave its base back): nothing to commit, once the key has a chain. A key
      // without one gets its first version even so: a backfill's seed, from a scan that may be older
      // than this change, must not take it afterwards.
      if (base && next === start) return next;
      const version = (base?.version ?? 0) + 1;
      const commit = this.nextVersion(base, start, next, version);
      if (!commit) return start;
      try {
        await this.docs.insertOne({ _id: this.versionId(key, version), version, ...commit.stored, committedAt: new Date() } satisfies VersionDoc<V> as never);
      } catch (err) {
        if (isDuplicateKeyError(err)) continue;
        throw err;
      }
      this.hold(key, { ...commit.held, checkedAt: Date.now() });
      this.options.onCommit?.(key, version);
      await upsert(() => this.docs.updateOne({ _id: this.headId(key) as never }, { $max: { version } }, { upsert: true }));
      // The whole value of a version nothing builds on any more (see nextVersion).
      if (commit.drop !== undefined) await this.docs.updateOne({ _id: this.versionId(key, commit.drop) as never }, { $unset: { value: '' } });
      return commit.held.value;
    }
    throw new Error(`read model ${this.model}: too many concurrent commits for one key`);
  }

  /**
   * What version `version` stores (`next` on top of `base`), what this replica holds of it, and
   * which older version's whole value to drop; null when a list model's `next` changes nothing of
   * an existing chain.
   * A plain model stores the whole value and drops the one two versions back. A list model stores
   * the elements changed since the base's snapshot, or a snapshot when they outgrow
   * `snapshotAfter` (then the previous snapshot's value goes: versions after it build on this one).
   */
  private nextVersion(
    base: Held<V> | null,
    start: V,
    next: V,
    version: number,
  ): { stored: Pick<VersionDoc<V>, 'value' | 'since' | 'changes'>; held: Held<V>; drop?: number } | null {
    const listKey = this.options.listKey as ((e: unknown) => string) | undefined;
    if (!listKey) return { stored: { value: next }, held: { version, value: next }, ...(version > 2 ? { drop: version - 2 } : {}) };
    const changes = listChanges(start as unknown[], next as unknown[], listKey);
    if (base && changes.length === 0) return null;
    const value = applyChanges(start as unknown[], changes, listKey) as V;
    const since = base?.since;
    const pending = since === undefined ? undefined : mergeChanges(base!.changes ?? [], changes);
    if (since === undefined || pending === undefined || pending.length > snapshotAfter((value as unknown[]).length)) {
      return { stored: { value }, held: { version, value, since: version, changes: [] }, ...(since !== undefined && since >= 1 ? { drop: since } : {}) };
    }
    return { stored: { since, changes: pending }, held: { version, value, since, changes: pending } };
  }

  /**
   * Once per process start: every key of the source without a chain gets its first version, from
   * one scan of the source; from then on a key without a chain has nothing in the source. Progress
   * is logged. Until it is done, a key's first read builds its chain from the same scan.
   */
  async backfill(concurrency = 8): Promise<void> {
    if (this.state !== 'none') return;
    const started = Date.now();
    const logger = this.options.logger;
    this.state = 'running';
    this.scanned = this.source.all();
    try {
      const all = [...(await this.scanned).entries()];
      logger?.info({ model: this.model, keys: all.length, ms: Date.now() - started }, 'read model backfill: source scanned');
      let next = 0;
      let created = 0;
      let lastLog = Date.now();
      const work = async () => {
        while (next < all.length) {
          const [key, value] = all[next++]!;
          if (await this.seed(key, value)) created++;
          if (Date.now() - lastLog >= 5_000) {
            lastLog = Date.now();
            logger?.info({ model: this.model, done: next, of: all.length, created }, 'read model backfill: progress');
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, work));
      this.state = 'done';
      logger?.info({ model: this.model, keys: all.length, created, ms: Date.now() - started }, 'read model backfill: done');
    } catch (err) {
      this.state = 'none';
      logger?.warn({ model: this.model, err: (err as Error).message }, 'read model backfill failed (first reads build their keys)');
    } finally {
      this.scanned = undefined;
    }
  }

  /**
   * The newest committed version, from the held one or the head hint onwards. A held version
   * checked less than `HELD_TRUST_MS` ago is probed from directly (one read: is there a next
   * one?). An older one only if the head names no newer version: housekeeping deletes only
   * versions below the head's previous one, so the versions after a held one at or above the head
   * are all there; otherwise the walk starts at the head.
   */
  private async latest(key: string, restarts = 0): Promise<Held<V> | null> {
    const now = Date.now();
    let held = this.held.get(key);
    let version: number;
    if (held && now - (held.checkedAt ?? 0) <= (this.options.heldTrustMs ?? HELD_TRUST_MS)) version = held.version;
    else {
      const head = await this.headVersion(key);
      if (held && head > held.version) held = undefined;
      version = held?.version ?? head;
    }
    let current: Held<V> | null = held ?? null;
    for (let probes = 0; probes < 10_000; probes++) {
      const next = await this.docs.findOne<VersionDoc<V>>({ _id: this.versionId(key, version + 1) as never });
      if (next) {
        version += 1;
        current = this.after(current, next);
        continue;
      }
      if (current) break;
      if (version === 0) return null;
      const doc = await this.docs.findOne<VersionDoc<V>>({ _id: this.versionId(key, version) as never });
      if (!doc) {
        // Deleted by housekeeping while this walk began at an older head: begin again at the head.
        this.held.delete(key);
        if (restarts < 3) return this.latest(key, restarts + 1);
        throw new Error(`read model ${this.model}: version ${version} of a key is missing`);
      }
      // Changes: on top of the snapshot they build on, unless its value was dropped.
      const snapshot = doc.since !== undefined ? await this.docs.findOne<VersionDoc<V>>({ _id: this.versionId(key, doc.since) as never }) : null;
      current = this.after(snapshot ? this.whole(snapshot) : null, doc);
      // Otherwise a value was dropped: newer versions came after the probe; look again.
    }
    if (!current) throw new Error(`read model ${this.model}: no end to a key's versions`);
    const checked = { ...current, checkedAt: now };
    this.hold(key, checked);
    return checked;
  }

  /** A version's value from its document alone (a whole value, or null). */
  private whole(doc: VersionDoc<V>): Held<V> | null {
    return doc.value === undefined ? null : { version: doc.version, value: doc.value, since: doc.version, changes: [] };
  }

  /**
   * The value of `doc`'s version from the one before it (`previous`, null when unknown): its whole
   * value, or its changes applied to a value at or after the snapshot they build on (changes since
   * a snapshot carry every element changed since, each as it is now); null when neither is at hand.
   */
  private after(previous: Held<V> | null, doc: VersionDoc<V>): Held<V> | null {
    if (doc.value !== undefined || doc.since === undefined || !doc.changes) return this.whole(doc);
    const listKey = this.options.listKey as ((e: unknown) => string) | undefined;
    if (!previous || !listKey || previous.version < doc.since) return null;
    const value = applyChanges(previous.value as unknown[], doc.changes, listKey) as V;
    return { version: doc.version, value, since: doc.since, changes: doc.changes };
  }

  /** Inserts version 1 unless the key has one; whether it did. */
  private async seed(key: string, value: V): Promise<boolean> {
    try {
      await this.docs.insertOne({ _id: this.versionId(key, 1), version: 1, value, committedAt: new Date() } satisfies VersionDoc<V> as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** The value of a key without a chain yet. */
  private async initial(key: string): Promise<V> {
    if (this.state === 'done') return this.source.empty();
    const scanned = this.scanned ? await this.scanned.catch(() => undefined) : undefined;
    if (scanned) return scanned.get(key) ?? this.source.empty();
    return this.source.one(key);
  }

  private async headVersion(key: string): Promise<number> {
    return (await this.docs.findOne<HeadDoc>({ _id: this.headId(key) as never }))?.version ?? 0;
  }

  /** Holds a version unless a newer one is held (a slow read must not take back a commit made meanwhile). */
  private hold(key: string, value: Held<V>): void {
    const before = this.held.get(key);
    if (before && before.version > value.version) return;
    this.held.delete(key);
    if (this.held.size >= this.maxKeys) this.held.delete(this.held.keys().next().value as string);
    this.held.set(key, value);
  }

  private headId(key: string): string {
    return `${this.model}:${key}`;
  }

  private versionId(key: string, version: number): string {
    return `${this.model}:${key}#${version}`;
  }
}

/**
 * Deletes superseded versions (housekeeping; FerretDB has no TTL indexes). Of each key's chain,
 * versions 2 … head − 2 whose successor was committed more than `retentionMs` ago go, in
 * ascending order, stopping at the first whose successor is younger. Kept: version 1 (a start's
 * backfill seeds it, and must not take its `_id` again), the version the head names and the one
 * below it, every newer one, the snapshots any of those build on (a list model's changes), and
 * every version of a key without a head document. One scan of `read_models` (three fields), then
 * deletes by `_id`, sequential per key. Safe on every replica at once. Returns how many went.
 */
export async function pruneReadModels(docs: Collection, now: Date, retentionMs = SUPERSEDED_RETENTION_MS): Promise<number> {
  const heads = new Map<string, number>();
  const chains = new Map<string, Map<number, { at: number; since?: number }>>();
  for await (const d of docs.find<{ _id: string; version: number; committedAt?: Date; since?: number }>(
    {},
    { projection: { version: 1, committedAt: 1, since: 1 } },
  )) {
    const id = String(d._id);
    if (d.committedAt === undefined) {
      heads.set(id, Number(d.version));
      continue;
    }
    const chain = id.slice(0, id.lastIndexOf('#'));
    let versions = chains.get(chain);
    if (!versions) chains.set(chain, (versions = new Map<number, { at: number; since?: number }>()));
    versions.set(Number(d.version), { at: new Date(d.committedAt).getTime(), ...(d.since !== undefined ? { since: Number(d.since) } : {}) });
  }
  const cutoff = now.getTime() - retentionMs;
  let deleted = 0;
  for (const [chain, versions] of chains) {
    const head = heads.get(chain);
    if (head === undefined) continue;
    const snapshots = new Set<number>();
    for (const [v, { since }] of versions) if (v >= head - 1 && since !== undefined) snapshots.add(since);
    const superseded = [...versions.keys()].filter((v) => v >= 2 && v < head - 1).sort((x, y) => x - y);
    for (const v of superseded) {
      // A successor already gone was deleted by an earlier pass: committed long ago.
      const successorAt = versions.get(v + 1)?.at;
      if (successorAt !== undefined && successorAt >= cutoff) break;
      if (snapshots.has(v)) continue;
      deleted += (await docs.deleteOne({ _id: `${chain}#${v}` as never })).deletedCount;
    }
  }
  return deleted;
}
