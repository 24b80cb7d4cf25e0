import { isPostgres, type Db, type Tx } from './database.js';
import { sendHeldWrites } from './held-writes.js';

type Work<T> = (tx: Tx) => Promise<T>;

/**
 * Work a batch does once before its items, given each item's hint: on PostgreSQL, where every
 * statement is a round trip, reading ahead for all of them in a few statements.
 */
export interface BatchStart<H> {
  step: (tx: Tx, hints: H[]) => Promise<void>;
  hint: H;
  /**
   * The step does the item's own write ahead of the batch, not only its reads: then only an item
   * first of its order key in the batch is hinted, since running it before the batch's other
   * items must not overtake earlier work on the same rows (a status callback ahead of its send's
   * acceptance). The others do their own work.
   */
  firstOfOrder?: boolean;
}

interface Item {
  work: Work<unknown>;
  start?: BatchStart<unknown>;
  /** Puts a batch's items in one order, so two batches never wait on each other's row locks. */
  order: string;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

const MAX_BATCH = 64;

/** Where a failed batch is reported (the server's logger). */
export interface BatchLog {
  warn(details: object, message: string): void;
}

/**
 * Group commit for small transactions that arrive together, such as webhooks. A commit costs more
 * than most of the statements before it (on SQLite, writing every changed page to the WAL and now
 * and then a checkpoint's fsync), so work handed in while a batch is running waits for the next
 * one, and each batch runs its items one after another in a single transaction. Every caller
 * still hears back only after the commit that holds its work. If the batch fails, each item runs
 * again in a transaction of its own, so one bad item answers for itself alone.
 *
 * Work must touch nothing but the transaction: it may run twice, the first time rolled back.
 */
export class GroupCommit {
  private pending: Item[] = [];
  private running = 0;
  private scheduled = false;
  /**
   * The order keys (a customer, for webhooks) of the batches in flight. An item whose key is
   * among them waits for the next batch: two batches never hold one customer, so neither waits
   * on the other's lock, nor do both create the same new customer (which fails one of them).
   */
  private readonly busy = new Map<string, number>();

  constructor(
    private readonly db: Db,
    /**
     * Most batches in flight at once: SQLite has one connection; PostgreSQL can commit several.
     * Past the first, a batch starts only for a full batch's worth of waiting work (canStart).
     */
    private readonly parallel = isPostgres(db) ? 4 : 1,
    private readonly log?: BatchLog,
  ) {}

  run<T, H>(order: string, work: Work<T>, start?: BatchStart<H>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, order, start: start as BatchStart<unknown> | undefined, resolve: resolve as (value: unknown) => void, reject });
      // Whatever else arrives in this turn of the event loop joins the same batch.
      if (!this.scheduled && this.canStart()) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.next();
        });
      }
    });
  }

  /**
   * One batch at a time, unless a full one is waiting. Every batch costs its own BEGIN, reads and
   * COMMIT, so what arrives while one runs is cheapest as one batch after it: started at once,
   * batches stayed small (two or three status callbacks each) and the statements they cost, not
   * the work, filled the CPU. A second batch beside the first is for what one batch cannot hold,
   * such as webhooks piling up behind a batch that waits on another process's lock.
   */
  private canStart(): boolean {
    return this.running === 0 || (this.running < this.parallel && this.pending.length >= MAX_BATCH);
  }

  private async next(): Promise<void> {
    if (!this.canStart()) return;
    const batch: Item[] = [];
    const waiting: Item[] = [];
    for (const item of this.pending) (batch.length < MAX_BATCH && !this.busy.has(item.order) ? batch : waiting).push(item);
    if (batch.length === 0) return;
    this.pending = waiting;
    batch.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    for (const { order } of batch) this.busy.set(order, (this.busy.get(order) ?? 0) + 1);
    this.running++;
    try {
      await this.commit(batch);
    } finally {
      this.running--;
      for (const { order } of batch) {
        const left = this.busy.get(order)! - 1;
        if (left > 0) this.busy.set(order, left);
        else this.busy.delete(order);
      }
      void this.next();
    }
  }

  private async commit(batch: Item[]): Promise<void> {
    // A lone item with a start step takes the batch's path too: on PostgreSQL its reads ahead and
    // held writes cost fewer round trips than the statements it would send by itself.
    if (batch.length > 1 || batch[0]!.start) {
      try {
        const results = await this.db.transaction().execute(async (tx) => {
          await startBatch(tx, batch);
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.work(tx));
          await sendHeldWrites(tx);
          return out;
        });
        batch.forEach((item, i) => item.resolve(results[i]));
        return;
      } catch (err) {
        // Every item again, alone, so the failure lands on its own caller. Said out loud: a batch
        // that fails often (a deadlock, a constraint) costs every webhook in it a second transaction.
        // A lone item's failure is its own, and its caller hears of it.
        if (batch.length > 1) this.log?.warn({ err, items: batch.length }, 'A group-committed batch failed; its items run again one by one');
      }
    }
    await Promise.all(batch.map((item) => this.db.transaction().execute(item.work).then(item.resolve, item.reject)));
  }
}

/** Each distinct start step once, with the hints of the items that asked for it (alone, an item reads for itself). */
async function startBatch(tx: Tx, batch: Item[]): Promise<void> {
  const hints = new Map<BatchStart<unknown>['step'], unknown[]>();
  const seen = new Set<string>();
  for (const { start, order } of batch) {
    const first = !seen.has(order);
    seen.add(order);
    if (start && (first || !start.firstOfOrder)) hints.set(start.step, [...(hints.get(start.step) ?? []), start.hint]);
  }
  for (const [step, of] of hints) await step(tx, of);
}

const perDatabase = new WeakMap<Db, GroupCommit>();

/** The database's group commit, made on first use (with the first caller's log). */
export function groupCommit(db: Db, log?: BatchLog): GroupCommit {
  let group = perDatabase.get(db);
  if (!group) perDatabase.set(db, (group = new GroupCommit(db, undefined, log)));
  return group;
}
