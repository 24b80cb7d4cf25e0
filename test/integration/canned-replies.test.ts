import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api.js';
import { ENGINES } from '../helpers/server.js';
import { createWorld, PASSWORD, type World } from '../helpers/world.js';

for (const engine of ENGINES) {
  describe(`canned replies (${engine})`, () => {
    let w: World;
    beforeEach(async () => {
      w = await createWorld(engine, { env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(() => w.destroy());

    const reply = { shortcut: 'refund', title: 'Refund policy', body: 'Hi {{customer.firstName}}, refunds take 5 days. {{agent.firstName}}' };

    it('any user creates, lists, edits and deletes their own; the list is in shortcut order', async () => {
      const created = await w.agent.api.post('/api/canned-replies', reply);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), ...reply, createdBy: w.agent.id, updatedAt: expect.any(String) });
      expect((await w.admin.api.post('/api/canned-replies', { shortcut: 'hours', title: 'Opening hours', body: 'We open at 9.' })).status).toBe(201);
      expect((await w.admin.api.get('/api/canned-replies')).body.items.map((r: any) => r.shortcut)).toEqual(['hours', 'refund']);

      const edited = await w.agent.api.patch(`/api/canned-replies/${created.body.id}`, { title: '  Refunds  ', body: 'Refunds take a week.' });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ shortcut: 'refund', title: 'Refunds', body: 'Refunds take a week.', createdBy: w.agent.id });
      expect((await w.agent.api.delete(`/api/canned-replies/${created.body.id}`)).status).toBe(204);
      expect((await w.agent.api.get('/api/canned-replies')).body.items.map((r: any) => r.shortcut)).toEqual(['hours']);
      expect((await w.agent.api.delete(`/api/canned-replies/${created.body.id}`)).status).toBe(404);
    });

    it("only an admin changes or deletes another user's reply", async () => {
      const bob = await w.addUser('agent', 'bob@acme.test');
      const alans = (await w.agent.api.post('/api/canned-replies', reply)).body;
      const patch = await bob.api.patch(`/api/canned-replies/${alans.id}`, { body: 'Mine now' });
      expect(patch.status).toBe(403);
      expect(patch.body.error.message).toContain('author or an admin');
      expect((await bob.api.delete(`/api/canned-replies/${alans.id}`)).status).toBe(403);
      expect((await bob.api.get('/api/canned-replies')).body.items[0].body).toBe(reply.body);

      expect((await w.admin.api.patch(`/api/canned-replies/${alans.id}`, { shortcut: 'refunds' })).body).toMatchObject({ shortcut: 'refunds', createdBy: w.agent.id });
      expect((await w.admin.api.delete(`/api/canned-replies/${alans.id}`)).status).toBe(204);
    });

    it('a shortcut is unique per organization: 409 on create and rename, even for concurrent creates', async () => {
      const first = (await w.agent.api.post('/api/canned-replies', reply)).body;
      const again = await w.admin.api.post('/api/canned-replies', { ...reply, title: 'Another' });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('/refund');
      const other = (await w.admin.api.post('/api/canned-replies', { ...reply, shortcut: 'refund-2' })).body;
      expect((await w.admin.api.patch(`/api/canned-replies/${other.id}`, { shortcut: 'refund' })).status).toBe(409);
      // Renaming to its own shortcut is no conflict.
      expect((await w.agent.api.patch(`/api/canned-replies/${first.id}`, { shortcut: 'refund' })).status).toBe(200);

      const racers = await Promise.all([w.admin, w.agent, w.admin, w.agent, w.admin, w.agent].map((u) => u.api.post('/api/canned-replies', { ...reply, shortcut: 'race' })));
      expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect((await w.agent.api.get('/api/canned-replies')).body.items.filter((r: any) => r.shortcut === 'race')).toHaveLength(1);
    });

    it("another organization's replies are invisible (404), and it may use the same shortcuts", async () => {
      const mine = (await w.agent.api.post('/api/canned-replies', reply)).body;
      const other = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const olga = apiClient(w.server.app, other.body.token);
      expect((await olga.get('/api/canned-replies')).body.items).toEqual([]);
      expect((await olga.patch(`/api/canned-replies/${mine.id}`, { body: 'x' })).status).toBe(404);
      expect((await olga.delete(`/api/canned-replies/${mine.id}`)).status).toBe(404);
      expect((await olga.post('/api/canned-replies', reply)).status).toBe(201);
      expect((await w.agent.api.get('/api/canned-replies')).body.items).toEqual([mine]);
    });

    it('refuses bad input with a 422 naming the field, and saves nothing', async () => {
      const refusal = async (input: object) => {
        const res = await w.agent.api.post('/api/canned-replies', input);
        expect(res.status).toBe(422);
        expect(res.body.error.message.startsWith(`${res.body.error.field}: `)).toBe(true);
        return res.body.error.message as string;
      };
      expect(await refusal({ ...reply, shortcut: 'Refund' })).toMatch(/^shortcut: .*lower-case letters/);
      expect(await refusal({ ...reply, shortcut: 'a'.repeat(33) })).toMatch(/^shortcut: /);
      expect(await refusal({ ...reply, shortcut: '' })).toMatch(/^shortcut: /);
      expect(await refusal({ ...reply, shortcut: 'two words' })).toMatch(/^shortcut: /);
      expect(await refusal({ ...reply, title: '   ' })).toMatch(/^title: .*empty/);
      expect(await refusal({ ...reply, title: 't'.repeat(101) })).toMatch(/^title: .*100/);
      expect(await refusal({ ...reply, body: ' \u200b ' })).toMatch(/^body: .*empty/);
      expect(await refusal({ ...reply, body: 'a'.repeat(1601) })).toMatch(/^body: .*1,600 characters/);
      expect(await refusal({ ...reply, body: 'nul \u0000' })).toMatch(/^body: .*control characters/);
      expect(await refusal({ ...reply, body: 'Hi {{customer.phone}} and {{custmer.name}}' })).toBe(
        'body: unknown placeholders {{customer.phone}}, {{custmer.name}}; the placeholders are {{customer.name}}, {{customer.firstName}}, {{agent.name}}, {{agent.firstName}}',
      );
      expect(await refusal({ ...reply, createdBy: w.admin.id })).toMatch(/^createdBy: unknown field/);
      expect(await refusal({ shortcut: 'x', title: 'x' })).toMatch(/^body: is required/);
      expect((await w.agent.api.post('/api/canned-replies', { ...reply, body: 'a'.repeat(1600) })).status).toBe(201);

      const saved = (await w.agent.api.get('/api/canned-replies')).body.items;
      expect(saved).toHaveLength(1);
      const bad = await w.agent.api.patch(`/api/canned-replies/${saved[0].id}`, { title: 'New', body: '{{order.id}}' });
      expect(bad.status).toBe(422);
      expect(bad.body.error.field).toBe('body');
      expect((await w.agent.api.get('/api/canned-replies')).body.items).toEqual(saved);
    });

    it('is for signed-in users only', async () => {
      expect((await w.anonymous.get('/api/canned-replies')).status).toBe(401);
      expect((await w.anonymous.post('/api/canned-replies', reply)).status).toBe(401);
    });
  });
}
