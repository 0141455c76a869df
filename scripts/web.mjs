// The web player (web/): its production build (served by the router at /) and its dev server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './system.mjs';

const WEB = join(ROOT, 'web');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** `vite build` (after a type check) into web/dist; resolves true on success. */
export function buildWeb({ log = console.log, signal } = {}) {
  return new Promise((resolve) => {
    log('building the web player (vite)...');
    const typecheck = spawn(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: WEB, stdio: 'inherit', signal });
    typecheck.on('error', () => resolve(false));
    typecheck.on('exit', (code) => {
      if (code !== 0) return resolve(false);
      const vite = spawn(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'inherit', signal });
      vite.on('error', () => resolve(false));
      vite.on('exit', (c) => resolve(c === 0));
    });
  });
}

/** `vite` with hot reload, proxying the router's routes to `routerUrl`; the child process. */
export function startWebDev(routerUrl, port = 5173) {
  return spawn(bin('vite'), ['--port', String(port), '--strictPort'], {
    cwd: WEB,
    stdio: 'inherit',
    env: { ...process.env, YTM_ROUTER_URL: routerUrl, WEB_DEV_PORT: String(port) },
  });
}
