import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_TWIML, HOUR, countRows, inboundParams, manualClock, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { capturedLog } from '../helpers/twilio-integration.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/* docs/twilio.md: WhatsApp, Messenger, RCS… are not SMS. Nothing is stored, Twilio gets a 200, the log a warning now and then. */
for (const engine of ENGINES) {
  describe(`channels Parley does not serve (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());

    it('whatsapp:, messenger:, rcs: or any other prefix: 200 with empty TwiML, nothing stored, a warning once per sender and hour', async () => {
      const logged = capturedLog();
      const clock = manualClock(Date.now());
      world = await createTwilioWorld(engine, { log: logged.log, clock });
      const warnings = () => logged.text().split('\n').filter((l) => l.includes('serves SMS only')).map((l) => JSON.parse(l));
      const before = await countRows(world.server.ctx.db);
      const sends = [
        { From: 'whatsapp:+14155550199', To: `whatsapp:${world.sender.phoneNumber}` },
        { From: 'whatsapp:+14155550199', To: `whatsapp:${world.sender.phoneNumber}` },
        { From: 'messenger:1234567890', To: 'messenger:9876543210' },
        { From: '+14155550198', To: `rcs:${world.sender.phoneNumber}` },
        { From: 'line:U4af4980629', To: 'line:U1234' },
      ];
      for (const addresses of sends) {
        const res = await postWebhook(world, inboundParams(world, { ...addresses, Body: 'Hi from another app' }));
        expect([res.status, res.body]).toEqual([200, EMPTY_TWIML]);
      }
      expect(await countRows(world.server.ctx.db)).toEqual(before);
      // The second WhatsApp message from the same sender within the hour logs nothing new.
      expect(warnings().map((w) => [w.channel, w.from])).toEqual([
        ['whatsapp', 'whatsapp:+14155550199'],
        ['messenger', 'messenger:1234567890'],
        ['rcs', '+14155550198'],
        ['line', 'line:U4af4980629'],
      ]);
      expect(warnings()[0]).toMatchObject({ level: 40, accountSid: `AC…${world.account.sid.slice(-4)}` });

      clock.advance(HOUR);
      await postWebhook(world, inboundParams(world, sends[0]));
      expect(warnings()).toHaveLength(5);
      expect(await countRows(world.server.ctx.db)).toEqual(before);
    });

    it('an SMS from the same customer is still stored', async () => {
      world = await createTwilioWorld(engine);
      const res = await postWebhook(world, inboundParams(world, { From: '+14155550199', Body: 'By SMS this time' }));
      expect(res.status).toBe(200);
      expect((await countRows(world.server.ctx.db)).messages).toBe(1);
    });
  });
}
