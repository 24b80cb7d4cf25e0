/**
 * Reads by key asked for in the same turn of the event loop, sent as one statement. The job
 * runner starts the jobs it claimed together in one loop, and each first reads its own row: on
 * PostgreSQL, where every statement is a round trip, a claim of eight sends would otherwise read
 * eight times. Each caller gets its own row (undefined when there is none) or the read's error.
 */
export function readsTogether<K, V>(readMany: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let waiting: { key: K; resolve(value: V | undefined): void; reject(reason: unknown): void }[] = [];
  const flush = () => {
    const asked = waiting;
    waiting = [];
    readMany([...new Set(asked.map((a) => a.key))]).then(
      (found) => asked.forEach((a) => a.resolve(found.get(a.key))),
      (err: unknown) => asked.forEach((a) => a.reject(err)),
    );
  };
  return (key) =>
    new Promise((resolve, reject) => {
      // Whatever else is asked before the current task ends joins the same read.
      if (waiting.length === 0) queueMicrotask(flush);
      waiting.push({ key, resolve, reject });
    });
}
