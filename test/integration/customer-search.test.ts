import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOrCreateCustomerLocked } from '../../src/features/customers/service.js';
import { apiClient, type Api } from '../helpers/api.js';
import { inboundParams, manualClock, postWebhook } from '../helpers/inbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';
import { PASSWORD } from '../helpers/world.js';

/** docs/rules.md#finding-customers, through both lists that search: customers and the inbox. */
for (const engine of ENGINES) {
  describe(`customer search (${engine})`, () => {
    let w: TwilioWorld;
    let clock: ReturnType<typeof manualClock>;
    beforeEach(async () => {
      clock = manualClock();
      w = await createTwilioWorld(engine, { clock, env: { ALLOW_SIGNUP: 'true' } });
    });
    afterEach(async () => {
      await w.destroy();
    });

    /** A customer who texted in, then was given a name and email by an agent. */
    const customer = async (phone: string, fields: { name?: string; email?: string }) => {
      clock.advance(60_000);
      expect((await postWebhook(w, inboundParams(w, { From: phone, Body: `hello from ${phone}` }))).status).toBe(200);
      const id = (await w.agent.api.get(`/api/customers?phone=${encodeURIComponent(phone)}`)).body.items[0].id as string;
      expect((await w.agent.api.patch(`/api/customers/${id}`, fields)).status).toBe(200);
      return id;
    };
    /** Phones of the customers a query finds, and the same from the inbox's search. */
    const found = async (q: string, api: Api = w.agent.api) => {
      const customers = await api.get(`/api/customers?q=${encodeURIComponent(q)}`);
      const inbox = await api.get(`/api/conversations?q=${encodeURIComponent(q)}`);
      expect([customers.status, inbox.status]).toEqual([200, 200]);
      const phones = (customers.body.items as any[]).map((c) => c.phone).sort();
      expect((inbox.body.items as any[]).map((c) => c.customer.phone).sort(), `inbox for ${q}`).toEqual(phones);
      return phones;
    };

    it('finds any 3 characters of a name or email, in any case and with or without accents', async () => {
      await customer('+14155550101', { name: 'José Müller', email: 'jm@example.com' });
      await customer('+14155550102', { name: 'ZOË ÅNGSTRÖM' });
      await customer('+14155550103', { name: 'Grace Hopper', email: 'Grace@Navy.example' });

      expect(await found('jos')).toEqual(['+14155550101']);
      expect(await found('JOSÉ')).toEqual(['+14155550101']);
      expect(await found('ull')).toEqual(['+14155550101']);
      expect(await found('mül')).toEqual(['+14155550101']);
      expect(await found('zoe ang')).toEqual(['+14155550102']);
      expect(await found('ångström')).toEqual(['+14155550102']);
      expect(await found('navy.ex')).toEqual(['+14155550103']);
      expect(await found('per')).toEqual(['+14155550103']);
      expect(await found('xyz')).toEqual([]);
      // Two characters are the start of a name.
      expect(await found('gr')).toEqual(['+14155550103']);
      expect(await found('Zo')).toEqual(['+14155550102']);
      expect(await found('op')).toEqual([]);
    });

    it('finds 3 to 15 digits of a phone number however they are typed', async () => {
      await customer('+14155550123', { name: 'Ada' });
      await customer('+442071838750', { name: 'Alan' });
      await customer('+14155559876', { name: 'Linus' });

      expect(await found('(415) 555')).toEqual(['+14155550123', '+14155559876']);
      expect(await found('415-555-0123')).toEqual(['+14155550123']);
      expect(await found('+1 415 555 0123')).toEqual(['+14155550123']);
      expect(await found('0123')).toEqual(['+14155550123']);
      expect(await found('020 7183')).toEqual([]);
      expect(await found('20 7183 8750')).toEqual(['+442071838750']);
      expect(await found('442071838750')).toEqual(['+442071838750']);
      expect(await found('987')).toEqual(['+14155559876']);
      expect(await found('４１５５５５９')).toEqual(['+14155559876']);
    });

    it('searches for wildcard and quote characters as text', async () => {
      await customer('+14155550131', { name: 'Linus 50%_done' });
      await customer('+14155550132', { name: 'Say "hi" Sam' });
      await customer('+14155550133', { name: 'Plain Name' });

      expect(await found('50%')).toEqual(['+14155550131']);
      expect(await found('%_d')).toEqual(['+14155550131']);
      expect(await found('"hi"')).toEqual(['+14155550132']);
      expect(await found('" OR "')).toEqual([]);
      expect(await found('%%%')).toEqual([]);
      expect(await found('___')).toEqual([]);
      expect(await found('%')).toEqual([]);
    });

    it('follows a change of name at once, and forgets the old one', async () => {
      const id = await customer('+14155550141', { name: 'Katherine Johnson' });
      expect(await found('johnson')).toEqual(['+14155550141']);
      await w.agent.api.patch(`/api/customers/${id}`, { name: 'Kathy Goble' });
      expect(await found('johnson')).toEqual([]);
      expect(await found('goble')).toEqual(['+14155550141']);
      await w.agent.api.patch(`/api/customers/${id}`, { name: null });
      expect(await found('goble')).toEqual([]);
      expect(await found('0141')).toEqual(['+14155550141']);
    });

    it("never finds another organization's customers", async () => {
      await customer('+14155550151', { name: 'Ours Lovelace' });
      const signup = await w.anonymous.post('/api/signup', { orgName: 'Other', name: 'Olga', email: 'olga@other.test', password: PASSWORD });
      const stranger = apiClient(w.server.app, signup.body.token);
      const theirs = await w.server.ctx.db.transaction().execute((tx) => findOrCreateCustomerLocked(tx, signup.body.organization.id, '+14155550152', clock.now()));
      expect((await stranger.patch(`/api/customers/${theirs.id}`, { name: 'Theirs Lovelace' })).status).toBe(200);

      expect(await found('lovelace')).toEqual(['+14155550151']);
      expect(await found('555015')).toEqual(['+14155550151']);
      expect((await stranger.get('/api/customers?q=lovelace')).body.items.map((c: any) => c.phone)).toEqual(['+14155550152']);
      expect((await stranger.get('/api/customers?q=ou')).body.items).toEqual([]);
    });
  });
}
