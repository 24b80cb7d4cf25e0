/**
 * The reply box in Debian's Chromium against the real server: the live segment counter, the
 * 1,600-character stop, and pictures that reach the customer's phone. Browser tests exercise the
 * web app, so they run on SQLite only: the database engines are covered by the integration tests.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { countSegments } from '../../src/domain/segments.js';
import sharp from 'sharp';
import { crackedMugPicture } from '../../scripts/picture.js';
import { eventually } from '../helpers/api.js';
import { expectAccessible } from './a11y.js';
import { composer, openConversation, outboundMessage, phoneTexts, sendButton, signIn, useDesk } from './desk.js';

const PHONE = '+14155550132';

/** The counter once it has counted `characters` (it follows each keystroke), as its data attributes. */
async function counter(page: Page, characters: number) {
  const el = page.getByTestId('segment-counter');
  await page.locator(`[data-testid="segment-counter"][data-characters="${characters}"]`).waitFor();
  const [counted, segments, encoding] = await Promise.all(['data-characters', 'data-segments', 'data-encoding'].map((a) => el.getAttribute(a)));
  return { characters: Number(counted), segments: Number(segments), encoding };
}

describe('the composer (browser)', () => {
  const desk = useDesk({ name: 'composer', world: { setUp: (world) => phoneTexts(world, PHONE, 'Hi there') } });

  it('counts 2 segments at 161 GSM-7 characters, and switches to UCS-2 once an emoji is typed', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Hi there');

    await composer(page).fill('a'.repeat(160));
    expect(await counter(page, 160)).toEqual({ characters: 160, segments: 1, encoding: 'GSM-7' });
    await composer(page).press('End');
    await page.keyboard.type('a');
    expect(await counter(page, 161)).toEqual({ characters: 161, segments: 2, encoding: 'GSM-7' });

    await page.keyboard.insertText('😕');
    const expected = countSegments(`${'a'.repeat(161)}😕`);
    expect(await counter(page, expected.characters)).toEqual({ characters: expected.characters, segments: expected.segments, encoding: 'UCS-2' });
    expect(expected.segments).toBe(3); // 163 UTF-16 units at 67 per segment
    // The character that forced UCS-2 is pointed out, and named for screen readers.
    expect(await page.getByTestId('ucs2-characters').locator('mark').textContent()).toBe('😕');
    await expectAccessible(page, 'the composer with a UCS-2 character marked');
  });

  it('offers to swap smart quotes for GSM-7 ones, which brings the message back to GSM-7', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Hi there');

    const text = 'It’s “on its way” — promise';
    await composer(page).fill(text);
    expect((await counter(page, text.length)).encoding).toBe('UCS-2');
    await expectAccessible(page, 'the composer offering GSM-7 replacements');
    await page.getByRole('button', { name: 'Replace with GSM-7 equivalents' }).click();

    expect(await composer(page).inputValue()).toBe('It\'s "on its way" - promise');
    expect((await counter(page, text.length)).encoding).toBe('GSM-7');
  });

  it('stops at 1,600 characters and says why', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'Hi there');

    await composer(page).fill('b'.repeat(1_600));
    await composer(page).press('End');
    await page.keyboard.type('c');

    expect(await composer(page).inputValue()).toBe('b'.repeat(1_600));
    expect(await page.getByTestId('limit-note').textContent()).toContain('1,600 characters');
    expect(await counter(page, 1_600)).toMatchObject({ segments: 11, encoding: 'GSM-7' });
    await expectAccessible(page, 'the composer at its limit');
  });

  it('sends an attached picture, and the phone receives those very bytes', async () => {
    const picture = crackedMugPicture();
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await openConversation(page, 'Hi there');

    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Attach pictures' }).click()]);
    await chooser.setFiles({ name: 'replacement.png', mimeType: 'image/png', buffer: picture });
    await page.locator('[data-testid="attachment"][data-status="ready"]').waitFor();
    await expectAccessible(page, 'the composer with an attached picture');
    await composer(page).fill('Here is the replacement we are sending.');
    await sendButton(page).click();

    const sent = outboundMessage(page, 'Here is the replacement');
    await sent.and(page.locator('[data-status="delivered"]')).waitFor();
    expect(await sent.getByRole('img').count()).toBe(1);
    await expectAccessible(page, 'a conversation with a sent picture');
    const received = await eventually(() => desk.world.sim.phoneInbox(PHONE).find((m) => m.media.length > 0), { what: 'the picture on the phone' });
    expect(received.body).toBe('Here is the replacement we are sending.');
    expect(received.media.map((m) => m.contentType)).toEqual(['image/png']);
    // The picture as Parley's image pipeline re-encoded it (metadata dropped): the same size of picture.
    const [delivered, original] = [await sharp(received.media[0]!.data).metadata(), await sharp(picture).metadata()];
    expect([delivered.format, delivered.width, delivered.height]).toEqual(['png', original.width, original.height]);
  });

  it('refuses a file that is not a picture, and sends nothing', async () => {
    const page = await desk.openPage();
    await signIn(page, desk.world, 'admin');
    await openConversation(page, 'Hi there');

    await page.getByTestId('attach-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });

    await page.getByRole('alert').filter({ hasText: 'notes.txt is not a JPEG, PNG, GIF, WebP or HEIC picture' }).waitFor();
    expect(await page.getByTestId('attachment').count()).toBe(0);
    expect(await sendButton(page).isDisabled()).toBe(true);
    await expectAccessible(page, 'the composer refusing a file');
  });
});
