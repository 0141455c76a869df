/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` (repository root) starts the system and this dev server, which proxies the
// router's routes so the app runs with hot reload against the running services.
const router = process.env.YTM_ROUTER_URL ?? 'http://127.0.0.1:4000';
const proxied = ['/graphql', '/stream', '/art', '/auth', '/playlists', '/rest', '/health'];

export default defineConfig({
  plugins: [react()],
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
