/**
 * Canned replies and mentions in the browser: an agent saves a reply under Settings → Canned
 * replies, inserts it with `/` and the keyboard (the meter counts what was inserted, and the
 * phone receives it), and an admin mentions a colleague with the `@` picker of a note.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { expectAccessible } from './a11y.js';
import { composer, openConversation, phoneTexts, sendButton, signIn, useDesk } from './desk.js';

const PHONE = '+14155550171';

describe('canned replies and mentions (browser)', () => {
  const desk = useDesk({ name: 'canned-replies' });

  it('an agent saves a reply, then inserts it with / and Enter; the meter counts it and the phone receives it', async () => {
    await phoneTexts(desk.world, PHONE, 'Where is my refund?');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Canned replies' }).click();
    const settings = page.getByTestId('canned-settings');
    await settings.waitFor();
    await expectAccessible(page, 'the canned replies settings, empty');
    const form = settings.getByRole('form', { name: 'Add a canned reply' });
    await form.getByLabel('Shortcut').fill('refund');
    await form.getByLabel('Title').fill('Refund on its way');
    // The customer has no name yet: the placeholder leaves no trace.
    await form.getByLabel('Text').fill('Hi {{customer.firstName}}, your refund is on its way. {{agent.name}}');
    await form.getByRole('button', { name: 'Add canned reply' }).click();
    await settings.getByTestId('canned-reply').filter({ hasText: '/refund' }).waitFor();
    await expectAccessible(page, 'the canned replies settings, one reply');

    await page.getByRole('link', { name: 'Inbox' }).click();
    await openConversation(page, 'Where is my refund?');
    const box = composer(page);
    await box.pressSequentially('/ref');
    const picker = page.getByRole('listbox', { name: 'Canned replies' });
    await picker.waitFor();
    const expected = 'Hi, your refund is on its way. agent alan';
    const option = picker.getByRole('option').first();
    expect(await option.textContent()).toContain(expected);
    expect(await option.getByTestId('canned-meter').textContent()).toBe(`${expected.length} chars · 1 segment · GSM-7`);
    expect(await box.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
    await expectAccessible(page, 'the conversation with the / picker open');

    // Escape closes it for this /shortcut; typing one anew opens it again.
    await box.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await box.pressSequentially('u');
    expect(await picker.count()).toBe(0);
    await box.fill('');
    await box.pressSequentially('/ref');
    await picker.waitFor();
    await box.press('ArrowDown'); // one option: stays on it
    await box.press('Enter');
    await picker.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe(expected);
    const meter = page.getByTestId('segment-counter');
    expect(await meter.getAttribute('data-characters')).toBe(String(expected.length));
    expect(await meter.getAttribute('data-segments')).toBe('1');

    // Typing goes on after the inserted text.
    await box.pressSequentially(' 😀');
    expect(await meter.getAttribute('data-encoding')).toBe('UCS-2');
    await box.press('Backspace');
    await box.press('Backspace');
    await sendButton(page).click();
    await eventually(() => desk.world.sim.phoneInbox(PHONE).find((m) => m.body === expected), { what: 'the canned reply on the phone' });
  });

  it('an admin mentions a colleague in a note with the @ picker', async () => {
    await phoneTexts(desk.world, PHONE, 'My parcel is late');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await openConversation(page, 'My parcel is late');
    await page.getByRole('button', { name: 'Note', exact: true }).click();
    const box = page.getByLabel('Note', { exact: true });
    await box.pressSequentially('Over to @al');
    const picker = page.getByRole('listbox', { name: 'Mention someone' });
    await picker.waitFor();
    expect(await picker.getByRole('option').allTextContents()).toEqual(['agent alan']);
    await expectAccessible(page, 'a note with the @ picker open');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Over to @agent alan ');
    await box.pressSequentially('please call them');
    await box.press('Enter');

    const note = page.locator('[data-testid="message"][data-direction="note"]').filter({ hasText: 'please call them' });
    await note.waitFor();
    const conversationId = await page.getByTestId('conversation').getAttribute('data-conversation-id');
    const messages = (await desk.world.agent.api.get(`/api/conversations/${conversationId}/messages`)).body.items as Array<{ direction: string; mentions: string[] }>;
    expect(messages.find((m) => m.direction === 'note')?.mentions).toEqual([desk.world.agent.id]);
  });
});
