// A lock file holding the owner's pid, so concurrent `up`/`install` runs queue instead of racing.
import { mkdirSync, openSync, closeSync, writeSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAlive, readPid, sleep } from './proc.mjs';

export async function withLock(file, { what, log = () => {}, timeoutMs = 15 * 60_000 }, fn) {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const owner = readPid(file);
    if (owner === process.pid) throw new Error(`${file} is already held by this process (nested ${what})`);
    if (owner === undefined ? ageMs(file) > 5_000 : !isAlive(owner)) {
      rmSync(file, { force: true }); // its owner crashed; nobody else can clean it up
      continue;
    }
    if (!announced) {
      log(`waiting for another ${what} (pid ${owner ?? '?'}, lock ${file})...`);
      announced = true;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${file} held by pid ${owner}`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

function ageMs(file) {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
