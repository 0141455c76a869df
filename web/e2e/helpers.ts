import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export interface AudioState {
  currentTime: number;
  paused: boolean;
  src: string;
  error: number | null;
}

export function audioState(page: Page): Promise<AudioState> {
  return page.evaluate(() => {
    const a = document.querySelector('audio');
    return { currentTime: a?.currentTime ?? 0, paused: a?.paused ?? true, src: a?.getAttribute('src') ?? '', error: a?.error?.code ?? null };
  });
}

/** Waits until the player's <audio> satisfies `ok` (observable state, no sleeps). */
export async function waitForAudio(page: Page, ok: (a: AudioState) => boolean, timeoutMs = 20_000): Promise<AudioState> {
  let last: AudioState | undefined;
  await expect
    .poll(
      async () => {
        last = await audioState(page);
        if (last.error !== null) throw new Error(`media error ${last.error}`);
        return ok(last);
      },
      { timeout: timeoutMs, intervals: [100, 200, 250] },
    )
    .toBe(true);
  return last!;
}

export async function signUp(page: Page, name: string): Promise<string> {
  const email = `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  await page.goto('/');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Albums', level: 1 })).toBeVisible();
  return email;
}

const SHOTS = join(import.meta.dirname, 'screenshots');

/** A full-page screenshot under e2e/screenshots (not committed). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: false, animations: 'disabled' });
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function checkA11y(page: Page, label: string): Promise<number> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
  expect(summary, `axe on ${label}`).toEqual([]);
  return results.violations.length;
}
