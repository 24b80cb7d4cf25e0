import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/server.js';
import { createWorld, type World } from '../helpers/world.js';

/* docs/rules.md#notifications: each user's own preferences, nobody else's. */
for (const engine of ENGINES) {
  describe(`notification preferences (${engine})`, () => {
    let w: World;
    beforeEach(async () => {
      w = await createWorld(engine);
    });
    afterEach(async () => {
      await w.destroy();
    });

    it('starts at mine_and_unassigned with sound, and changes only for the user who asks', async () => {
      expect((await w.agent.api.get('/api/me/preferences')).body).toEqual({ notify: 'mine_and_unassigned', sound: true });
      const changed = await w.agent.api.patch('/api/me/preferences', { notify: 'all', sound: false });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ notify: 'all', sound: false });
      expect((await w.agent.api.get('/api/me/preferences')).body).toEqual({ notify: 'all', sound: false });
      // The admin's are their own.
      expect((await w.admin.api.get('/api/me/preferences')).body).toEqual({ notify: 'mine_and_unassigned', sound: true });
      expect((await w.agent.api.patch('/api/me/preferences', { notify: 'mine' })).body).toEqual({ notify: 'mine', sound: false });
    });

    it('refuses an unknown preference, naming the field, and anonymous callers', async () => {
      const res = await w.agent.api.patch('/api/me/preferences', { notify: 'sometimes' });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(/^notify/);
      expect((await w.agent.api.patch('/api/me/preferences', { userId: w.admin.id, notify: 'none' })).status).toBe(422);
      expect((await w.anonymous.get('/api/me/preferences')).status).toBe(401);
      expect((await w.admin.api.get('/api/me/preferences')).body.notify).toBe('mine_and_unassigned');
    });
  });
}
