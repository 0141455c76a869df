// Preloaded into the router by bench/router/run.mjs when PROFILE is set (NODE_OPTIONS=--import,
// since --cpu-prof is not allowed there): SIGUSR2 starts V8's CPU profiler, the next SIGUSR2 stops
// it and writes the profile to $YTM_CPU_PROFILE_DIR/<n>.cpuprofile, so each load is profiled alone.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.YTM_CPU_PROFILE_DIR;
const session = new Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    const file = join(dir, `${++n}.cpuprofile`);
    writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
    renameSync(`${file}.tmp`, file);
  });
});
