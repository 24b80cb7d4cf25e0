import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import type { AuthUser } from '../../src/features/accounts/sessions.js';
import { sendReply, startConversation } from '../../src/features/outbound/service.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

/** Every read of the messages table finds nothing, as if the row vanished right after its commit. */
class MessagesVanishOnRead implements KyselyPlugin {
  private readonly reads = new WeakSet<object>();
  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"messages"')) this.reads.add(queryId);
    return node;
  }
  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return this.reads.has(queryId) ? { ...result, rows: [] } : result;
  }
}

for (const engine of ENGINES) {
  describe(`a sent message that cannot be read back (${engine})`, () => {
    let world: TwilioWorld;
    afterEach(() => world?.destroy());

    it('answers a clear error instead of an empty 202, and the message is still stored', async () => {
      world = await createTwilioWorld(engine);
      const ctx: Context = { ...world.server.ctx, db: world.server.ctx.db.withPlugin(new MessagesVanishOnRead()) };
      const auth: AuthUser = { id: world.agent.id, organizationId: world.organizationId, email: world.agent.email, name: 'Alan', role: 'agent', sessionId: 'test', touched: false };
      const readBackError = { code: 'internal', message: expect.stringMatching(/was saved .* could not be read back/) };

      await expect(startConversation(ctx, auth, { senderId: world.sender.id, phone: '+14155550199', body: 'first' })).rejects.toMatchObject(readBackError);
      const first = await world.server.ctx.db.selectFrom('messages').selectAll().where('body', '=', 'first').executeTakeFirstOrThrow();

      await expect(sendReply(ctx, auth, first.conversationId, { body: 'second' })).rejects.toMatchObject(readBackError);
      expect(await world.server.ctx.db.selectFrom('messages').select('body').where('conversationId', '=', first.conversationId).orderBy('createdAt').orderBy('id').execute()).toEqual([
        { body: 'first' },
        { body: 'second' },
      ]);
    });
  });
}
