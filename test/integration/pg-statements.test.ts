import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { NamedStatementClient, parseOncePerConnection } from '../../src/db/pg-statements.js';
import { createPgSchema, ENGINES } from '../helpers/server.js';

for (const engine of ENGINES.filter((e) => e === 'postgres')) {
  describe(`statements parsed once per connection (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });

    async function connected() {
      const schema = await createPgSchema();
      cleanup.push(schema.drop);
      const client = await another(schema.name);
      await client.query('create table probe (a int)');
      await client.query('insert into probe values (1), (2)');
      return client;
    }

    /** One more connection to the same schema, as a pool opens several. */
    async function another(schema: string) {
      const client = new NamedStatementClient({ connectionString: process.env.TEST_DATABASE_URL, options: `-c search_path=${schema}` });
      await client.connect();
      cleanup.push(() => client.end());
      return client;
    }

    const kept = async (client: NamedStatementClient) => ((await client.query('select statement from pg_prepared_statements order by name')) as pg.QueryResult<{ statement: string }>).rows.map((r) => r.statement);

    it('keeps a registered statement and sends any other unnamed', async () => {
      const client = await connected();
      const registered = 'select * from probe where a = $1';
      parseOncePerConnection(registered);
      expect((await client.query(registered, [1])).rows).toEqual([{ a: 1 }]);
      expect((await client.query(registered, [2])).rows).toEqual([{ a: 2 }]);
      expect((await client.query('select * from probe where a > $1', [0])).rowCount).toBe(2);
      expect(await kept(client)).toEqual([registered]);
    });

    it("keeps a registered statement sent the pool's way, with a callback, and answers the callback", async () => {
      const client = await connected();
      const registered = 'select * from probe where a = $1 limit 1';
      parseOncePerConnection(registered);
      const viaCallback = (values: unknown[]) =>
        new Promise<pg.QueryResult>((resolve, reject) => client.query(registered, values, (err: Error | null, result: pg.QueryResult) => (err ? reject(err) : resolve(result))));
      expect((await viaCallback([2])).rows).toEqual([{ a: 2 }]);
      await expect(viaCallback(['not a number'])).rejects.toThrow(/invalid input syntax/);
      expect(await kept(client)).toEqual([registered]);
    });

    it('sends a statement again, freshly parsed, when a migration changed what it returns', async () => {
      const client = await connected();
      const registered = 'select * from probe where a >= $1 order by a';
      parseOncePerConnection(registered);
      await client.query(registered, [1]);
      await client.query('alter table probe add column b text');
      expect((await client.query(registered, [2])).rows).toEqual([{ a: 2, b: null }]);
    });

    it('inside a transaction, fails once and works on the retry', async () => {
      const client = await connected();
      const registered = 'select * from probe where a <= $1 order by a';
      parseOncePerConnection(registered);
      await client.query(registered, [1]);
      await client.query('alter table probe add column c text');
      await client.query('begin');
      await expect(client.query(registered, [1])).rejects.toThrow(/cached plan must not change result type/);
      await client.query('rollback');
      await client.query('begin');
      expect((await client.query(registered, [1])).rows).toEqual([{ a: 1, c: null }]);
      await client.query('commit');
    });

    /**
     * Hands pg each of PostgreSQL's messages on a later turn of the event loop, as a loaded network
     * may: a failed query then settles before the ReadyForQuery that tells the transaction's status.
     */
    function answerOneMessageATurn(client: NamedStatementClient) {
      const stream = (client as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
      const emit = stream.emit.bind(stream);
      let held = Buffer.alloc(0);
      let queue = Promise.resolve();
      stream.emit = (event: string | symbol, ...args: unknown[]) => {
        if (event !== 'data') return emit(event, ...args);
        held = Buffer.concat([held, args[0] as Buffer]);
        // Each message: a type byte, then a length that counts itself but not the type.
        while (held.length >= 5 && held.length >= 1 + held.readUInt32BE(1)) {
          const message = held.subarray(0, 1 + held.readUInt32BE(1));
          held = held.subarray(message.length);
          queue = queue.then(() => new Promise<void>((turn) => setImmediate(() => { emit('data', message); turn(); })));
        }
        return true;
      };
    }

    it('a stale statement sent with its BEGIN fails in its transaction and is not sent again outside it', async () => {
      const client = await connected();
      answerOneMessageATurn(client);
      const registered = 'select * from probe where a < $1 order by a';
      parseOncePerConnection(registered);
      await client.query(registered, [2]);
      await client.query('alter table probe add column g text');
      await client.query('begin', []);
      await expect(client.query(registered, [2])).rejects.toThrow(/cached plan must not change result type/);
      await client.query('rollback', []);
      await client.query('begin', []);
      expect((await client.query(registered, [2])).rows).toEqual([{ a: 1, g: null }]);
      await client.query('commit', []);
    });

    it('once one connection finds a statement stale, the others parse afresh before they fail', async () => {
      const first = await connected();
      const schema = (await first.query('select current_schema() as name')) as pg.QueryResult<{ name: string }>;
      const second = await another(schema.rows[0]!.name);
      const registered = 'select * from probe where a in ($1, $2) order by a';
      parseOncePerConnection(registered);
      await first.query(registered, [1, 2]);
      await second.query(registered, [1, 2]);
      await first.query('alter table probe add column d text');
      expect((await first.query(registered, [1, 1])).rows).toEqual([{ a: 1, d: null }]);
      await second.query('begin');
      expect((await second.query(registered, [2, 2])).rows).toEqual([{ a: 2, d: null }]);
      await second.query('commit');
    });

    /** PostgreSQL's answers (ReadyForQuery) to this client: one per round trip. */
    function roundTrips(client: NamedStatementClient) {
      let n = 0;
      (client as unknown as { connection: { on(event: string, listener: () => void): void } }).connection.on('readyForQuery', () => n++);
      return () => n;
    }

    it("sends a transaction's BEGIN with its first statement, in one round trip, at the isolation level asked for", async () => {
      const client = await connected();
      const answers = roundTrips(client);
      // As Kysely sends them: text and an array of values.
      await client.query('start transaction isolation level repeatable read', []);
      expect(client.getTransactionStatus()).toBe('I');
      expect(answers()).toBe(0);
      expect((await client.query('select a from probe where a = $1', [1])).rows).toEqual([{ a: 1 }]);
      expect(answers()).toBe(1);
      expect(client.getTransactionStatus()).toBe('T');
      expect((await client.query('show transaction_isolation', [])).rows).toEqual([{ transaction_isolation: 'repeatable read' }]);
      await client.query('insert into probe values ($1)', [3]);
      await client.query('rollback', []);
      expect((await client.query('select count(*)::int as n from probe', [])).rows).toEqual([{ n: 2 }]);
    });

    it('sends nothing for a transaction that ends before its first statement', async () => {
      const client = await connected();
      const answers = roundTrips(client);
      await client.query('begin', []);
      expect((await client.query('commit', [])).command).toBe('COMMIT');
      await client.query('begin', []);
      await client.query('rollback', []);
      expect(answers()).toBe(0);
      expect(client.getTransactionStatus()).toBe('I');
    });

    it('a first statement that fails leaves the transaction aborted, and a kept statement that failed to parse is parsed again', async () => {
      const client = await connected();
      const registered = 'select e from probe where a = $1';
      parseOncePerConnection(registered);
      answerOneMessageATurn(client);
      await client.query('begin', []);
      await expect(client.query(registered, [1])).rejects.toThrow(/column "e" does not exist/);
      // pg settles a failed query on its error, before the ReadyForQuery that reports the status,
      // so the aborted transaction shows in what PostgreSQL answers next.
      await expect(client.query('select 1', [])).rejects.toThrow(/current transaction is aborted/);
      await client.query('rollback', []);
      await client.query('alter table probe add column e text', []);
      await client.query('begin', []);
      expect((await client.query(registered, [1])).rows).toEqual([{ e: null }]);
      await client.query('commit', []);
      expect(await kept(client)).toContain(registered);
    });

    it('skips the first statement when its BEGIN fails, and can still send that statement afterwards', async () => {
      const client = await connected();
      const registered = 'insert into probe values ($1)';
      parseOncePerConnection(registered);
      // Kysely would never send this level; here it makes the held BEGIN itself fail.
      await client.query('start transaction isolation level nonsense', []);
      await expect(client.query(registered, [3])).rejects.toThrow(/syntax error/);
      expect((await client.query('select count(*)::int as n from probe', [])).rows).toEqual([{ n: 2 }]);
      // The statement never reached PostgreSQL, so it is parsed when next sent.
      await client.query(registered, [3]);
      expect((await client.query('select count(*)::int as n from probe', [])).rows).toEqual([{ n: 3 }]);
    });
  });
}
