import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The simulator's asynchronous work (deliveries, callbacks, hung responses), tracked so
 * that stop() cancels every pending wait and fetch instead of leaving timers behind.
 */
export class Background {
  private readonly controller = new AbortController();
  private readonly tasks = new Set<Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {
    // Every pending wait and request listens on this one signal, so under load there are hundreds.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  run(task: () => Promise<void>): void {
    if (this.stopped) return;
    const promise = task()
      .catch((error: unknown) => {
        if (!this.stopped) this.onError(error);
      })
      .finally(() => this.tasks.delete(promise));
    this.tasks.add(promise);
  }

  /** Rejects with an AbortError when the simulator stops. */
  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    await delay(ms, undefined, { signal: this.controller.signal });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.tasks]);
  }
}
