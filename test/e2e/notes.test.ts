/**
 * Internal notes in the browser: an agent switches the composer to note mode from the keyboard,
 * and a colleague with the same conversation open sees the note, styled as a note, live.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { composer, openConversation, phoneTexts, signIn, useDesk } from './desk.js';

const PHONE = '+14155550141';

describe('internal notes (browser)', () => {
  const desk = useDesk({ name: 'notes' });

  it('n switches to note mode; the note shows as a note on a second agent’s screen live, and is never texted', async () => {
    await phoneTexts(desk.world, PHONE, 'My parcel arrived damaged');
    const admin = await desk.openPage({ label: 'admin' });
    const agent = await desk.openPage({ label: 'agent' });
    await signIn(agent, desk.world, 'agent');
    await openConversation(agent, 'My parcel arrived damaged');
    await signIn(admin, desk.world, 'admin');
    await openConversation(admin, 'My parcel arrived damaged');
    await agent.evaluate('window.sameDocument = true');

    expect(await admin.getByTestId('segment-counter').isVisible()).toBe(true);
    await admin.locator('body').press('n');
    const addNote = admin.getByRole('button', { name: 'Add note' });
    await addNote.waitFor();
    expect(await admin.getByTestId('segment-counter').count()).toBe(0);
    expect(await admin.getByRole('button', { name: 'Send', exact: true }).count()).toBe(0);
    const noteBox = admin.getByLabel('Note', { exact: true });
    expect(await admin.evaluate("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id")).toBe('composer-input');
    await expectAccessible(admin, 'the composer in note mode');
    await noteBox.fill('Photos are in the claim; refund approved');
    await noteBox.press('Enter');
    expect(await noteBox.inputValue()).toBe('');

    const seen = agent.locator('[data-testid="message"][data-direction="note"]').filter({ hasText: 'Photos are in the claim' });
    await seen.waitFor();
    expect(await seen.getByText('Note — only your team sees this').isVisible()).toBe(true);
    await expectAccessible(agent, 'a conversation with a note');
    const inbound = agent.locator('[data-testid="message"][data-direction="inbound"] .bubble').first();
    const background = (l: typeof inbound) => l.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor as string);
    expect(await background(seen.locator('.bubble'))).not.toBe(await background(inbound));
    expect(await agent.evaluate('window.sameDocument')).toBe(true);

    // While the note box has focus, n is a letter of the note; the toggle switches back.
    await noteBox.press('n');
    expect(await noteBox.inputValue()).toBe('n');
    await noteBox.fill('');
    await admin.getByRole('button', { name: 'Reply', exact: true }).click();
    await composer(admin).waitFor();
    expect(desk.world.sim.messages().map((m) => m.body)).not.toContain('Photos are in the claim; refund approved');
  });
});
