import { defineConfig } from '@playwright/test';

// Browser tests against the whole system (every process, real FerretDB and Kafka, a generated
// music folder), started by e2e/global-setup.ts. Chromium is Debian's (`apt-get install chromium`):
// Playwright's own browser downloads are not used.
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--autoplay-policy=no-user-gesture-required', '--mute-audio'],
    },
    viewport: { width: 1280, height: 800 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
