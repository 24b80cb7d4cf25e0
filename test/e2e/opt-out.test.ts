/**
 * Unsubscribe on a customer's behalf from the customer panel: after a STOP, an agent opts the
 * customer back in with a reason; the composer then explains that Twilio's own block remains.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible } from './a11y.js';
import { composer, openConversation, phoneTexts, signIn, useDesk } from './desk.js';

const PHONE = '+14155550151';

describe('opt-out on behalf (browser)', () => {
  const desk = useDesk({ name: 'opt-out' });

  it('opts a customer who texted STOP back in with a reason; the composer explains Twilio’s block and the timeline says who and why', async () => {
    await phoneTexts(desk.world, PHONE, 'Hi, question about my bill');
    await phoneTexts(desk.world, PHONE, 'STOP');
    const page = await desk.openPage();
    await signIn(page, desk.world, 'agent');
    await openConversation(page, 'STOP');
    await page.getByTestId('composer-blocked').waitFor();
    expect(await composer(page).isDisabled()).toBe(true);
    await expectAccessible(page, 'a conversation with an opted-out customer');

    await page.getByRole('button', { name: 'Opt back in…' }).click();
    const optIn = page.getByRole('button', { name: 'Opt back in', exact: true });
    expect(await optIn.isDisabled()).toBe(true); // a reason is required
    await page.getByLabel('Why (required', { exact: false }).fill('Called us: wants billing texts again');
    await expectAccessible(page, 'the opt-in form');
    await optIn.click();

    const notice = page.getByTestId('composer-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('until they text START');
    expect(await composer(page).isDisabled()).toBe(false);
    const changes = page.getByTestId('opt-out-changes');
    await changes.waitFor();
    expect(await changes.textContent()).toContain('Called us: wants billing texts again');
    expect(await changes.textContent()).toContain('Opted back in to');
    expect(await page.getByTestId('opt-out-state').getAttribute('data-opted-out')).toBe('false');
    await expectAccessible(page, 'the customer panel after an opt-in');
  });
});
