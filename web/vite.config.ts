/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { appRoutes } from './src/app/routes';

// `npm run dev` (repository root) starts the system and this dev server, which proxies the
// router's routes so the app runs with hot reload against the running services.
const router = process.env.YTM_ROUTER_URL ?? 'http://127.0.0.1:4000';
const proxied = ['/graphql', '/stream', '/art', '/auth', '/playlists', '/rest', '/health'];

/** The router's SPA fallback list (dist/app-routes.json), written from the app's one route table. */
function appRoutesFile(): Plugin {
  return {
    name: 'ytm-app-routes',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'app-routes.json', source: `${JSON.stringify(appRoutes(), null, 2)}\n` });
    },
  };
}

export default defineConfig({
  plugins: [react(), appRoutesFile()],
  build: {
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    // dist/.vite/manifest.json: which chunks load at start (scripts/check-budget.mjs counts those).
    manifest: true,
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: router, ws: p === '/graphql', changeOrigin: false }])),
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
