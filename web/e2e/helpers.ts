import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export interface AudioState {
  currentTime: number;
  paused: boolean;
  src: string;
  error: number | null;
}

export function audioState(page: Page): Promise<AudioState> {
  return page.evaluate(() => {
    const a = document.querySelector<HTMLAudioElement>('audio[data-active="true"]');
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

export const PASSWORD = 'correct horse battery staple';

/** An access token for `email` straight from the API (for the test's own out-of-band changes). */
export async function apiToken(email: string, password = PASSWORD): Promise<string> {
  const r = await fetch(`${process.env.YTM_WEB_URL}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw new Error(`sign-in for ${email}: ${r.status}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

/** A GraphQL operation as `token`; throws on errors. */
export async function api<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await fetch(`${process.env.YTM_WEB_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await r.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

export interface ApiUser {
  email: string;
  password: string;
  token: string;
}

/** An account made through the API (as another client would), to sign in with in the browser. */
export async function apiSignUp(request: APIRequestContext, name: string): Promise<ApiUser> {
  const email = `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  const res = await request.post('/auth/signup', { data: { email, password: PASSWORD, displayName: name } });
  expect(res.status(), await res.text()).toBe(201);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { email, password: PASSWORD, token: accessToken };
}

/** One GraphQL operation through the router with a user's token; errors are returned, not thrown. */
export async function gql<T>(
  request: APIRequestContext,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
  const res = await request.post('/graphql', { data: { query, variables }, headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

export async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Albums', level: 1 })).toBeVisible();
}

/** Opens an album from the library grid and presses its play button. */
export async function playAlbum(page: Page, album: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('link', { name: new RegExp(`^${album} by`) }).click();
  await expect(page.getByRole('heading', { name: album, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: `Play ${album}` }).click();
}

/** The player's problem banner. */
export function problem(page: Page) {
  return page.locator('.problem[role="alert"]');
}
