import mongoose from 'mongoose';

/** Drops the three service databases a test system used (`<prefix>_resource` ...). */
export async function dropSystemDatabases(mongodbUrl: string, dbPrefix: string): Promise<void> {
  const conn = await mongoose.createConnection(mongodbUrl).asPromise();
  try {
    for (const db of ['resource', 'library', 'stream']) await conn.useDb(`${dbPrefix}_${db}`).dropDatabase();
  } finally {
    await conn.close();
  }
}
