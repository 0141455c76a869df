// Asks `me` every `intervalMs` without waiting for the previous answer (open loop, so a slow
// server cannot hide behind fewer requests) and prints latency percentiles. Runs in its own
// process: its event loop is idle, so the numbers are the server's.
import { percentiles } from './lib.mjs';

const [url, token, durationMs, intervalMs = '10'] = process.argv.slice(2);
const samples = [];
let errors = 0;
const pending = [];
const body = JSON.stringify({ query: '{ me { id displayName plan { tier } } }' });

const deadline = Date.now() + Number(durationMs);
while (Date.now() < deadline) {
  const started = process.hrtime.bigint();
  pending.push(
    fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
      .then(async (r) => {
        const j = await r.json();
        if (!j.data?.me) errors++;
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      })
      .catch(() => errors++),
  );
  await new Promise((r) => setTimeout(r, Number(intervalMs)));
}
await Promise.all(pending);
process.stdout.write(`${JSON.stringify({ ...percentiles(samples), errors })}\n`);
