import { afterEach, describe, expect, it } from 'vitest';
import { readSnapshot, type Tx } from '../../src/db/database.js';
import { GroupCommit } from '../../src/db/group-commit.js';
import { freshDatabase } from '../helpers/database.js';
import { ENGINES } from '../helpers/server.js';

const job = (id: string) => ({ id, kind: 'k', payload: '{}', status: 'pending' as const, runAt: 1, attempts: 0, createdAt: 1 });
const insertJob = (tx: Tx, id: string) => tx.insertInto('jobs').values(job(id)).execute();

for (const engine of ENGINES) {
  describe(`group commit (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0)) await c();
    });
    const setup = async () => {
      const { database, drop } = await freshDatabase(engine);
      cleanup.push(drop);
      const stored = async () => (await database.db.selectFrom('jobs').select('id').orderBy('id').execute()).map((r) => r.id);
      return { db: database.db, group: new GroupCommit(database.db, 1), stored };
    };

    it('runs work handed in together in one transaction, in the order given, and answers each after the commit', async () => {
      const { db, group, stored } = await setup();
      const transactions = new Set<Tx>();
      const seen: string[] = [];
      const answers = await Promise.all(
        ['b 2', 'a 1', 'b 1'].map((id) =>
          group
            .run(id.split(' ')[0]!, async (tx) => {
              transactions.add(tx);
              seen.push(id);
              await insertJob(tx, id);
              // Nothing is visible outside until the whole batch commits (SQLite's one connection is the transaction's meanwhile).
              return engine === 'postgres' ? (await db.selectFrom('jobs').select('id').execute()).length : 0;
            })
            // By the time a caller hears back, every row of the batch is committed.
            .then(async (visibleInside) => [visibleInside, (await db.selectFrom('jobs').select('id').execute()).length]),
        ),
      );
      expect(transactions.size).toBe(1);
      expect(seen).toEqual(['a 1', 'b 2', 'b 1']); // by order key; equal keys keep their arrival order
      expect(await stored()).toEqual(['a 1', 'b 1', 'b 2']);
      expect(answers).toEqual([
        [0, 3],
        [0, 3],
        [0, 3],
      ]);
    });

    it('runs each start step once before a batch, with its items\' hints, an item alone included', async () => {
      const { group } = await setup();
      const seen: string[] = [];
      const step = async (_tx: Tx, hints: string[]) => void seen.push(`start ${hints.join(',')}`);
      const item = (id: string) => group.run(id, async () => void seen.push(id), { step, hint: id });
      await Promise.all([item('b'), item('a')]);
      await item('c');
      expect(seen).toEqual(['start a,b', 'a', 'b', 'start c', 'c']);
    });

    it('hints a step that works ahead of the batch only with the first item of each order key', async () => {
      const { group } = await setup();
      const seen: string[] = [];
      const step = async (_tx: Tx, hints: string[]) => void seen.push(`start ${hints.join(',')}`);
      const item = (key: string, id: string) => group.run(key, async () => void seen.push(id), { step, hint: id, firstOfOrder: true });
      await Promise.all([item('b', 'b1'), item('a', 'a1'), item('b', 'b2'), item('a', 'a2')]);
      // b2 and a2 come after earlier work on their keys: running them ahead would overtake it.
      expect(seen).toEqual(['start a1,b1', 'a1', 'a2', 'b1', 'b2']);
    });

    it('lets a failing item fail alone: the others are stored, it stores nothing and gets its own error', async () => {
      const { db, stored } = await setup();
      const warnings: { details: { err?: Error; items?: number }; message: string }[] = [];
      const group = new GroupCommit(db, 1, { warn: (details, message) => warnings.push({ details, message }) });
      const results = await Promise.allSettled([
        group.run('1', (tx) => insertJob(tx, 'first')),
        group.run('2', async (tx) => {
          await insertJob(tx, 'half-done');
          throw new Error('the second one broke');
        }),
        group.run('3', (tx) => insertJob(tx, 'third')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.message).toBe('the second one broke');
      expect(await stored()).toEqual(['first', 'third']);
      // The failed batch is logged, with its error, before its items run again alone.
      expect(warnings).toEqual([{ details: { err: expect.objectContaining({ message: 'the second one broke' }), items: 3 }, message: expect.stringContaining('batch failed') }]);
    });

    it('runs a lone item that fails with its start step once more without it, and answers its own error without a warning', async () => {
      const { db, stored } = await setup();
      const warnings: unknown[] = [];
      const group = new GroupCommit(db, 1, { warn: (details) => warnings.push(details) });
      const seen: string[] = [];
      const step = async (_tx: Tx, hints: string[]) => void seen.push(`start ${hints.join(',')}`);
      const lone = group.run(
        'x',
        async (tx) => {
          seen.push('x');
          await insertJob(tx, 'half-done');
          throw new Error('it broke');
        },
        { step, hint: 'x' },
      );
      await expect(lone).rejects.toThrow('it broke');
      expect(seen).toEqual(['start x', 'x', 'x']);
      expect(await stored()).toEqual([]);
      expect(warnings).toEqual([]);
    });

    // SQLite has one connection, so only PostgreSQL runs batches in parallel.
    if (engine === 'postgres') {
      /** Runs `first` as a batch of its own and holds it open until `release` is called. */
      const holdFirst = async (group: GroupCommit, id: string) => {
        let release!: () => void;
        let running!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const started = new Promise<void>((resolve) => (running = resolve));
        const first = group.run(id.split(' ')[0]!, async (tx) => {
          await insertJob(tx, id);
          running();
          await held;
        });
        await started;
        return { first, release };
      };

      it('lets what arrives while a batch runs wait for it, then commit together, when it is less than a full batch', async () => {
        const { db, stored } = await setup();
        const group = new GroupCommit(db, 4);
        const { first, release } = await holdFirst(group, 'a first');
        const transactions = new Set<Tx>();
        const later = ['b', 'c', 'd'].map((id) => group.run(id, (tx) => (transactions.add(tx), insertJob(tx, id))));
        await new Promise((resolve) => setTimeout(resolve, 100));
        // Four batches may run at once, yet none started beside the first for three items.
        expect(transactions.size).toBe(0);
        release();
        await Promise.all([first, ...later]);
        expect(transactions.size).toBe(1);
        expect(await stored()).toEqual(['a first', 'b', 'c', 'd']);
      });

      it('starts a batch beside one in flight for a full batch, but never with an order key in flight: its item waits for the next', async () => {
        const { db, stored } = await setup();
        const group = new GroupCommit(db, 2);
        const { first, release } = await holdFirst(group, 'a first');
        const again = group.run('a', (tx) => insertJob(tx, 'a again'));
        const others = Array.from({ length: 64 }, (_, i) => `b ${String(i).padStart(2, '0')}`);
        // A full batch of others runs beside the first, which still holds order key a.
        await Promise.all(others.map((id) => group.run(id, (tx) => insertJob(tx, id))));
        expect(await stored()).toEqual(others);
        release();
        await Promise.all([first, again]);
        expect(await stored()).toEqual(['a again', 'a first', ...others]);
      });
    }

    it('collects what arrives while a batch runs into the next one', async () => {
      const { group, stored } = await setup();
      const transactions: Tx[] = [];
      const record = (id: string) => (tx: Tx) => (transactions.push(tx), insertJob(tx, id));
      const first = group.run('1', async (tx) => {
        // Handed in while the first batch holds the database.
        later.push(group.run('2', record('second')), group.run('3', record('third')));
        await record('first')(tx);
      });
      const later: Promise<unknown>[] = [];
      await first;
      await Promise.all(later);
      expect(await stored()).toEqual(['first', 'second', 'third']);
      expect(new Set(transactions).size).toBe(2);
      expect(transactions[1]).toBe(transactions[2]);
    });
  });
}

for (const engine of ENGINES) {
  describe(`readSnapshot (${engine})`, () => {
    let drop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await drop?.();
      drop = undefined;
    });

    it('sees one moment: a row written meanwhile by someone else is not half seen', async () => {
      const fresh = await freshDatabase(engine);
      drop = fresh.drop;
      const { db } = fresh.database;
      const count = async (conn: Tx | typeof db) => (await conn.selectFrom('jobs').select('id').execute()).length;
      let meanwhile: Promise<unknown> | undefined;
      const [first, second] = await readSnapshot(db, async (tx) => {
        const first = await count(tx);
        // PostgreSQL commits it on another connection at once; SQLite's one connection makes it wait for the snapshot.
        meanwhile = db.insertInto('jobs').values(job('written meanwhile')).execute();
        await Promise.race([meanwhile, new Promise((resolve) => setTimeout(resolve, 200))]);
        return [first, await count(tx)];
      });
      await meanwhile;
      expect([first, second]).toEqual([0, 0]);
      expect(await count(db)).toBe(1);
    });
  });
}
