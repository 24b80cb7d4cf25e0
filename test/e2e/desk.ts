import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestContext } from 'vitest';
import { SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';
import { screenshot } from './browser.js';

/** A failing step says so well inside Vitest's 30 s test timeout, with Playwright's own message. */
const STEP_TIMEOUT_MS = 10_000;

/** A fresh context per test: no cookies, storage or event-stream worker carried over. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the login form, as a person would, and waits for the signed-in app. */
export async function signIn(page: Page, world: TwilioWorld, who: 'admin' | 'agent'): Promise<void> {
  await page.goto(world.publicUrl);
  await page.getByLabel('Email').fill(world[who].email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  await waitUntilLive(page);
}

/**
 * Waits for the event stream to be open. The server subscribes a stream before it answers, so
 * from here on every event reaches this page: a test can act without racing the connection.
 */
export async function waitUntilLive(page: Page): Promise<void> {
  await page.locator('.live-indicator[data-status="live"]').waitFor();
}

/** A phone texts the world's support number, and the desk must have taken it. */
export async function phoneTexts(world: TwilioWorld, from: string, body: string, media?: { contentType: string; data: Buffer }[]): Promise<void> {
  const result = await world.sim.phoneSend({ from, to: SUPPORT_NUMBER, body, ...(media ? { media } : {}) });
  if (result.webhookStatus !== 200) throw new Error(`the desk answered the inbound webhook ${result.webhookStatus}: ${result.webhookBody}`);
}

export function conversationRow(page: Page, text: string): Locator {
  return page.getByTestId('conversation-item').filter({ hasText: text });
}

/** Opens the conversation whose inbox row shows `text`, and waits for its reply box. */
export async function openConversation(page: Page, text: string): Promise<void> {
  await conversationRow(page, text).click();
  await composer(page).waitFor();
}

export function composer(page: Page): Locator {
  return page.getByLabel('Message', { exact: true });
}

export function sendButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Send', exact: true });
}

export function outboundMessage(page: Page, body: string): Locator {
  return page.locator('[data-testid="message"][data-direction="outbound"]').filter({ hasText: body });
}

/** One screenshot per test, taken after it ran (so a failure shows the screen it failed on). */
export async function screenshotAfter(context: TestContext, page: Page | undefined, file: string): Promise<void> {
  if (!page || page.isClosed()) return;
  const name = `${file}--${context.task.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  await screenshot(page, name);
}
