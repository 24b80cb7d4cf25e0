import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/server.js';
import { createWorld, type World } from '../helpers/world.js';

for (const engine of ENGINES) {
  describe(`POST /api/sms/segments (${engine})`, () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld(engine);
    });
    afterAll(() => world.destroy());

    it("answers the segment counter's figures for a body", async () => {
      const res = await world.agent.api.post('/api/sms/segments', { body: 'a'.repeat(152) + '€' + 'a'.repeat(152) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ characters: 306, encoding: 'GSM-7', segments: 3, perSegment: 153, nonGsmCharacters: [], overLimit: false });
      const ucs = await world.agent.api.post('/api/sms/segments', { body: 'Merci ç 😀' });
      expect(ucs.body).toEqual({ characters: 9, encoding: 'UCS-2', segments: 1, perSegment: 70, nonGsmCharacters: ['ç', '😀'], overLimit: false });
      expect((await world.agent.api.post('/api/sms/segments', { body: 'a'.repeat(1601) })).body.overLimit).toBe(true);
    });

    it('needs a signed-in user and a string body', async () => {
      expect((await world.anonymous.post('/api/sms/segments', { body: 'x' })).status).toBe(401);
      const missing = await world.agent.api.post('/api/sms/segments', {});
      expect(missing.status).toBe(422);
      expect(missing.body.error.field).toBe('body');
    });
  });
}
