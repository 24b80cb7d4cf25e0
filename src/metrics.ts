import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobStats } from './jobs/queue.js';

/**
 * What an operator watches (docs/operations.md#metrics), one registry per server so tests and
 * several servers in one process never mix their counts. Counters move where the action
 * happens; gauges about the database (jobs) are read when Prometheus scrapes.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  webhooks: Counter<'webhook' | 'outcome'>;
  messagesSent: Counter;
  messagesFailed: Counter<'error_code'>;
  sseConnections: Gauge;
  catchupRuns: Counter<'outcome'>;
  catchupFound: Counter<'kind'>;
}

/** `readJobs` is called at each scrape; a failure leaves the job gauges out of that scrape. */
export function createMetrics(readJobs: () => Promise<JobStats>): Metrics {
  const registry = new Registry();
  // process_* and nodejs_* (memory, CPU, event-loop lag, GC) keep their standard names, which
  // every Node dashboard expects.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let jobs: Promise<JobStats> | null = null;
  // Both gauges share one read per scrape.
  const read = () => (jobs ??= readJobs().finally(() => setImmediate(() => (jobs = null))));
  new Gauge({
    name: 'parley_jobs',
    help: 'Jobs in the queue by kind and state (due, waiting, running, failed)',
    labelNames: ['kind', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const c of (await read()).counts) this.set({ kind: c.kind, state: c.state }, c.count);
    },
  });
  new Gauge({
    name: 'parley_jobs_oldest_due_age_seconds',
    help: 'How long the longest-waiting due job has been waiting: a growing value means no worker keeps up',
    registers,
    async collect() {
      this.set((await read()).oldestDueAgeMs / 1000);
    },
  });
  return {
    registry,
    httpRequests: new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests answered, by route pattern and status', labelNames: ['method', 'route', 'status'], registers }),
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'Time from request to answer, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    webhooks: new Counter({
      name: 'parley_webhooks_total',
      help: "Twilio's webhooks (message, status) by outcome: stored, duplicate, ignored, applied, or the refusal's reason",
      labelNames: ['webhook', 'outcome'],
      registers,
    }),
    messagesSent: new Counter({ name: 'parley_messages_sent_total', help: 'Outbound messages Twilio accepted', registers }),
    messagesFailed: new Counter({ name: 'parley_messages_failed_total', help: "Outbound messages that failed, by Twilio's error code (none: failed before or without one)", labelNames: ['error_code'], registers }),
    sseConnections: new Gauge({ name: 'parley_sse_connections', help: 'Live-update streams open on this process', registers }),
    catchupRuns: new Counter({ name: 'parley_catchup_runs_total', help: 'Catch-up runs against Twilio, by outcome (ok, failed)', labelNames: ['outcome'], registers }),
    catchupFound: new Counter({ name: 'parley_catchup_found_total', help: 'What catch-up runs found and repaired, by kind', labelNames: ['kind'], registers }),
  };
}

/**
 * One call per catch-up run (docs/twilio.md), with how many of each kind it found, e.g.
 * `{ inbound_stored: 2, statuses_refreshed: 5 }`; `ok` is false when any sender's part failed.
 */
export function recordCatchupRun(metrics: Metrics, run: { ok: boolean; found?: Record<string, number> }): void {
  metrics.catchupRuns.inc({ outcome: run.ok ? 'ok' : 'failed' });
  for (const [kind, n] of Object.entries(run.found ?? {})) if (n > 0) metrics.catchupFound.inc({ kind }, n);
}

/** A failed send's label: Twilio's code, or `none`. */
export const errorCodeLabel = (code: number | null | undefined) => (code === null || code === undefined ? 'none' : String(code));
