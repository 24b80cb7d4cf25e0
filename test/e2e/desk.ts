import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, type TestContext } from 'vitest';
import { createTwilioWorld, SUPPORT_NUMBER, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';
import { ensureWebBuild, launchBrowser, screenshot } from './browser.js';

/** A failing step says so well inside Vitest's 30 s test timeout, with Playwright's own message. */
const STEP_TIMEOUT_MS = 10_000;

export interface DeskOptions {
  /** Names the file's screenshots in test-artifacts/: `<name>--<test>`, or `<name>-<label>--<test>`. */
  name: string;
  /**
   * The fresh world each test gets (browser tests exercise the web app, so SQLite only), and what
   * to put in it before the test starts; `false` where the file brings its own server.
   */
  world?: false | { connect?: boolean; setUp?: (world: TwilioWorld) => Promise<void> | void };
}

export interface Desk {
  /** The running test's world. */
  readonly world: TwilioWorld;
  /** A page in a fresh context; after the test it is screenshotted, then closed. */
  openPage(options?: { viewport?: { width: number; height: number }; label?: string }): Promise<Page>;
}

/**
 * Registers a browser test file's hooks: one Chromium for the file, and per test a world and the
 * pages the test opens. Call it at the top of the file's `describe`.
 */
export function useDesk(options: DeskOptions): Desk {
  let browser: Browser | undefined;
  let world: TwilioWorld | undefined;
  const pages: { page: Page; label?: string }[] = [];

  // The server looks for the web build when it starts, so the build comes first.
  beforeAll(async () => {
    await ensureWebBuild();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  if (options.world !== false) {
    const { setUp, ...worldOptions } = options.world ?? {};
    beforeEach(async () => {
      world = await createTwilioWorld('sqlite', worldOptions);
      await setUp?.(world);
    });
  }
  afterEach(async (context) => {
    for (const { page, label } of pages.splice(0)) {
      await screenshotAfter(context, page, label ? `${options.name}-${label}` : options.name);
      await page.context().close();
    }
    await world?.destroy();
    world = undefined;
  });

  return {
    get world() {
      if (!world) throw new Error(options.world === false ? 'this file asked useDesk for no world' : 'the world exists only while a test runs');
      return world;
    },
    // A fresh context per page: no cookies, storage or event-stream worker carried over.
    async openPage({ viewport = { width: 1280, height: 800 }, label } = {}) {
      if (!browser) throw new Error('the browser starts in beforeAll: open pages from a test');
      const context = await browser.newContext({ viewport });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      const page = await context.newPage();
      pages.push({ page, label });
      return page;
    },
  };
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

/** One screenshot per page and test, taken after it ran (so a failure shows the screen it failed on). */
async function screenshotAfter(context: TestContext, page: Page, file: string): Promise<void> {
  if (page.isClosed()) return;
  const name = `${file}--${context.task.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  await screenshot(page, name);
}
