import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/server.js';
import { createWorld, type World } from '../helpers/world.js';

for (const engine of ENGINES) {
  describe(`keyset paging (${engine})`, () => {
    let world: World;
    afterEach(() => world?.destroy());

    it('every list refuses a cursor it did not give out with the same words', async () => {
      world = await createWorld(engine);
      for (const list of ['/api/conversations', '/api/customers', '/api/audit']) {
        const res = await world.admin.api.get(`${list}?cursor=not-a-cursor`);
        expect({ list, status: res.status, error: res.body.error }).toEqual({
          list,
          status: 422,
          error: { code: 'validation_failed', field: 'cursor', message: 'cursor: is not a cursor from a previous page; ask again without it', requestId: expect.any(String) },
        });
      }
    });
  });
}
