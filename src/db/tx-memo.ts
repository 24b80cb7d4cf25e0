import type { Conn } from './database.js';
import { sendHeldWrites } from './held-writes.js';

const memos = new WeakMap<Conn, Map<string, Promise<unknown>>>();

/**
 * A read made once per transaction: later calls with the same key in the same transaction share
 * its answer. Group commit (group-commit.ts) runs a batch of webhooks in one transaction, and most
 * of them name the same account, sender and organization; reading those once a batch instead of
 * once a message saves round trips that PostgreSQL charges for. Only for rows the transaction
 * itself does not change, whose value at the batch's first read is good for its few
 * milliseconds. Outside a transaction the read is made every time.
 */
export function oncePerTransaction<T>(conn: Conn, key: string, read: () => Promise<T>): Promise<T> {
  if (!conn.isTransaction) return read();
  let memo = memos.get(conn);
  if (!memo) memos.set(conn, (memo = new Map()));
  let answer = memo.get(key) as Promise<T> | undefined;
  if (!answer) {
    answer = read();
    memo.set(key, answer);
    // A failed read is not kept: the caller sees the error, and a retry reads again.
    answer.catch(() => memo.delete(key));
  }
  return answer;
}

/**
 * Answers this transaction's later oncePerTransaction read of this key with a value read ahead
 * (on PostgreSQL a batch reads the accounts, senders and organizations of all its webhooks in one
 * statement). The same rule holds: only for rows the transaction itself does not change.
 */
export function putOncePerTransaction(conn: Conn, key: string, value: unknown): void {
  if (!conn.isTransaction) return;
  let memo = memos.get(conn);
  if (!memo) memos.set(conn, (memo = new Map()));
  memo.set(key, Promise.resolve(value));
}

const readAhead = new WeakMap<Conn, Map<string, unknown>>();

/**
 * Puts the answer a later read in this transaction will want, read ahead together with others
 * (a group-committed batch reads its webhooks' customers in one statement on PostgreSQL). The
 * answer is taken once (takeReadAhead): a batch's later writes may change it, so a second
 * caller reads for itself.
 */
export function putReadAhead(conn: Conn, key: string, value: unknown): void {
  let answers = readAhead.get(conn);
  if (!answers) readAhead.set(conn, (answers = new Map()));
  answers.set(key, value);
}

/**
 * The answer read ahead for this key, once (for every caller when `keep`: a row nothing in the
 * transaction changes); otherwise the read itself, after the writes held back (held-writes.ts).
 */
export async function takeReadAhead<T>(conn: Conn, key: string, read: () => Promise<T>, keep = false): Promise<T> {
  const ahead = takeAhead<T>(conn, key, keep);
  if (ahead) return ahead.value;
  await sendHeldWrites(conn);
  return read();
}

/** The answer put for this key, once (always, when `keep`), or undefined when none was: the caller does its own work. */
export function takeAhead<T>(conn: Conn, key: string, keep = false): { value: T } | undefined {
  const answers = readAhead.get(conn);
  if (!answers?.has(key)) return undefined;
  const value = answers.get(key) as T;
  if (!keep) answers.delete(key);
  return { value };
}
