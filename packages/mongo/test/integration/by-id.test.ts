import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { deleteOneById, updateOneById } from '../../src/index.js';

jest.setTimeout(60_000);

let conn: Connection;
/** The filters of the update and delete commands sent (the driver's command monitoring). */
const filters: Array<{ command: string; filter: unknown }> = [];
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('mongo_by_id'), retryWrites: false, monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'update') for (const u of e.command.updates as Array<{ q: unknown }>) filters.push({ command: 'update', filter: u.q });
    if (e.commandName === 'delete') for (const d of e.command.deletes as Array<{ q: unknown }>) filters.push({ command: 'delete', filter: d.q });
  });
});
afterAll(async () => {
  await conn.db?.dropDatabase();
  await conn.close();
});

const onFerretDb = async () => typeof (await conn.db!.admin().command({ buildInfo: 1 })).ferretdbVersion === 'string';

it('writes a document only when it matches the condition, and on FerretDB sends no filter but { _id } (an index seek)', async () => {
  const docs = conn.collection('leases');
  const until = new Date('2026-01-01T00:00:00Z');
  await docs.insertMany([
    { _id: 'job-1' as never, holder: 'a', until },
    { _id: 'job-2' as never, holder: 'b', until, _outbox: [{ id: 'e1' }] },
  ]);
  filters.length = 0;

  expect(await updateOneById(docs, 'job-1', { holder: 'b' }, { $set: { until: new Date() } })).toMatchObject({ matchedCount: 0 });
  expect(await updateOneById(docs, 'job-1', { holder: 'a', until }, { $set: { holder: 'c' } })).toMatchObject({ matchedCount: 1 });
  expect(await updateOneById(docs, 'missing', { holder: 'a' }, { $set: { holder: 'c' } })).toMatchObject({ matchedCount: 0 });
  expect(await deleteOneById(docs, 'job-2', { '_outbox.0': { $exists: false } })).toEqual({ deletedCount: 0 });
  expect(await deleteOneById(docs, 'job-1', { holder: 'a' })).toEqual({ deletedCount: 0 });
  expect(await deleteOneById(docs, 'job-1', { holder: 'c', until: { $lte: until } })).toMatchObject({ deletedCount: 1 });

  expect(await docs.findOne({ _id: 'job-1' as never })).toBeNull();
  expect(await docs.findOne({ _id: 'job-2' as never })).toMatchObject({ holder: 'b', until });
  if (await onFerretDb()) {
    // Two writes matched (the others were decided by the read by `_id`), each sent by `_id` alone.
    expect(filters).toEqual([
      { command: 'update', filter: { _id: 'job-1' } },
      { command: 'delete', filter: { _id: 'job-1' } },
    ]);
  } else {
    expect(filters).toHaveLength(6);
  }
});

it('refuses a condition it cannot check before writing anything', async () => {
  const docs = conn.collection('refused');
  await docs.insertOne({ _id: 'd' as never, n: 1 });
  await expect(updateOneById(docs, 'd', { n: { $in: [1] } }, { $set: { n: 2 } })).rejects.toThrow(/unsupported condition operator/);
  expect(await docs.findOne({ _id: 'd' as never })).toMatchObject({ n: 1 });
});
