/** The part of a MongoDB client the store's identity is asked through. */
export interface StoreClient {
  db(name?: string): { admin(): { command(cmd: Record<string, unknown>): Promise<Record<string, unknown>> } };
}

export interface StoreInfo {
  ferretdb: boolean;
  /** `FerretDB v1.24.2`, `MongoDB 7.0.14`. */
  name: string;
}

const known = new WeakMap<StoreClient, Promise<StoreInfo>>();

/** Which server a client talks to, from its buildInfo: asked once per client (a failed ask is asked again). */
export function storeOf(client: StoreClient): Promise<StoreInfo> {
  let info = known.get(client);
  if (!info) {
    info = client
      .db()
      .admin()
      .command({ buildInfo: 1 })
      .then((b) => {
        const ferretdb = typeof b.ferretdbVersion === 'string';
        return { ferretdb, name: ferretdb ? `FerretDB ${String(b.ferretdbVersion)}` : `MongoDB ${String(b.version)}` };
      });
    info.catch(() => known.delete(client));
    known.set(client, info);
  }
  return info;
}
