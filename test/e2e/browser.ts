import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually } from '../helpers/api.js';

/** Debian's Chromium, started as CI and this machine allow: no sandbox as root, no calls home. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** Screenshots for people to look at after a CI run; the folder is git-ignored. */
export const ARTIFACTS = path.resolve('test-artifacts');

const BUILT_INDEX = path.resolve('dist/web/index.html');
/** What the web build is made from: the app and the domain modules it shares with the server. */
const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'src/domain'].map((p) => path.resolve(p));
const LOCK = path.resolve('dist/.web-build.lock');

function newestChange(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

function buildIsCurrent(): boolean {
  return existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= Math.max(...SOURCES.filter(existsSync).map(newestChange));
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK, { recursive: false });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    // A run that died while building leaves its lock behind; a build takes seconds, not minutes.
    if (Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/**
 * The browser tests run against the built web app (dist/web): build it when it is missing or
 * older than its sources, one test file at a time (files run in parallel and a build empties
 * the folder first). Call it before the server starts, which looks for the build at start-up.
 */
export async function ensureWebBuild(): Promise<void> {
  if (buildIsCurrent()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  await eventually(tryLock, { timeoutMs: 120_000, what: 'another test file to finish building the web app' });
  try {
    if (!buildIsCurrent()) execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (!existsSync(ARTIFACTS)) mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
