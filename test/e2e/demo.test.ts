/**
 * `npm run demo`, as a newcomer meets it: the script runs as its own process, prints where to
 * go, and a visitor on the simulator's phone page texts the desk and gets the answer back.
 * Like the other browser tests it runs on SQLite only, which is also all the demo uses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { freePort } from '../helpers/twilio-world.js';
import { expectAccessible } from './a11y.js';
import { composer, conversationRow, openConversation, outboundMessage, sendButton, useDesk, waitUntilLive } from './desk.js';

interface Printed {
  desk: string;
  phone: string;
  admin: { email: string; password: string };
}

function readInstructions(output: string): Printed | null {
  const desk = /Open the desk\s+(\S+)/.exec(output)?.[1];
  const phone = /Open the phone\s+(\S+)/.exec(output)?.[1];
  const admin = /admin\s+(\S+@\S+)\s+password\s+(\S+)/.exec(output);
  return desk && phone && admin ? { desk, phone, admin: { email: admin[1]!, password: admin[2]! } } : null;
}

describe('npm run demo (browser)', () => {
  // The demo runs as its own server, and after useDesk's beforeAll has built the web app it serves.
  const browser = useDesk({ name: 'demo', world: false });
  let demo: ChildProcess;
  let output = '';
  let printed: Printed;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), SIM_PORT: String(await freePort()), SIM_MEDIA_PORT: String(await freePort()), DEMO_DATA_DIR: dataDir };
    delete env.LOG_LEVEL;
    demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const died = new Promise<never>((_, reject) => demo.once('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`))));
    died.catch(() => undefined); // it exits on purpose at the end
    printed = await Promise.race([eventually(() => readInstructions(output), { timeoutMs: 60_000, what: `the demo's instructions in:\n${output}` }), died]);
  }, 120_000);

  afterAll(async () => {
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where to go; a visitor texts the desk from the phone page and sees the answer delivered', async () => {
    expect(printed.desk).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+$/);
    expect(printed.phone).toMatch(/\/phone\?to=%2B1\d{10}$/);
    expect(output).toMatch(/agent\s+\S+@\S+\s+password \S+/);

    const desk = await browser.openPage({ label: 'desk' });
    await desk.goto(printed.desk);
    await desk.getByLabel('Email').fill(printed.admin.email);
    await desk.getByLabel('Password').fill(printed.admin.password);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await waitUntilLive(desk);
    // The seeded conversations, newest first: the customer's photo of a broken mug on top.
    await conversationRow(desk, 'Jordan Alvarez').waitFor();
    expect(await desk.getByTestId('conversation-item').first().textContent()).toContain('Jordan Alvarez');
    await expectAccessible(desk, "the demo's inbox");

    const phone = await browser.openPage({ viewport: { width: 390, height: 800 }, label: 'phone' });
    await phone.goto(printed.phone);
    await phone.getByLabel('Message', { exact: true }).waitFor();
    await expectAccessible(phone, "the simulator's phone page");
    await phone.getByLabel('Message', { exact: true }).fill('Hi! Do you sell gift cards?');
    await phone.getByRole('button', { name: 'Send' }).click();
    await phone.getByText('delivered to the desk').waitFor();

    await openConversation(desk, 'Do you sell gift cards?');
    await composer(desk).fill('We do: from $10 to $200, on our website.');
    await sendButton(desk).click();
    await outboundMessage(desk, 'We do: from $10').and(desk.locator('[data-status="delivered"]')).waitFor();
    await expectAccessible(desk, "the demo's conversation with a delivered reply");

    const reply = phone.locator('.msg.them').filter({ hasText: 'We do: from $10 to $200' });
    await reply.locator('.meta').filter({ hasText: 'delivered' }).waitFor();
    await expectAccessible(phone, "the simulator's phone page with the answer");
  });

  it('stops cleanly on Ctrl+C', async () => {
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
