import http from 'node:http';
import { performance } from 'node:perf_hooks';
import twilio from 'twilio';
import { WEBHOOK_PATH } from './protocol.js';

/**
 * Signed inbound webhooks as Twilio would send them: a mix of new and returning customers and a
 * share of picture messages. Every request has its own MessageSid, so each one is a new message.
 */
export interface Traffic {
  accountSid: string;
  authToken: string;
  supportNumber: string;
  /** Twilio media URLs (on the simulator) for the picture messages. */
  mediaUrls: string[];
  newCustomerShare: number;
  mmsShare: number;
  returningCustomers: number;
}

export function webhookFactory(t: Traffic) {
  let seq = 0;
  return (url: string): { body: string; signature: string } => {
    seq++;
    const returning = Math.random() >= t.newCustomerShare;
    const customer = returning ? Math.floor(Math.random() * t.returningCustomers) : t.returningCustomers + seq;
    const params: Record<string, string> = {
      ToCountry: 'US',
      SmsMessageSid: '',
      NumMedia: '0',
      SmsSid: '',
      SmsStatus: 'received',
      Body: `Hi, order #${seq} has not arrived yet, can you check where it is?`,
      To: t.supportNumber,
      NumSegments: '1',
      MessageSid: '',
      AccountSid: t.accountSid,
      From: `+1212${String(2_000_000 + customer).padStart(7, '0')}`,
      ApiVersion: '2010-04-01',
    };
    const sid = `${process.pid.toString(16)}${seq.toString(16)}`.padStart(32, '0');
    params.MessageSid = params.SmsMessageSid = params.SmsSid = `SM${sid}`;
    if (t.mediaUrls.length > 0 && Math.random() < t.mmsShare) {
      params.MessageSid = params.SmsMessageSid = params.SmsSid = `MM${sid}`;
      params.NumMedia = '1';
      params.MediaUrl0 = t.mediaUrls[seq % t.mediaUrls.length]!;
      params.MediaContentType0 = 'image/png';
    }
    return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(t.authToken, url, params) };
  };
}

export interface RunResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

function post(agent: http.Agent, port: number, body: string, signature: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: WEBHOOK_PATH,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': signature },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `concurrency` clients each sending as fast as answers come back, for `seconds`. */
export async function closedLoop(ports: number[], next: () => { body: string; signature: string }, concurrency: number, seconds: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  // Client i talks to ports[i % n], as a balancer spreads connections over a site's processes.
  const client = async (port: number) => {
    while (performance.now() < end) {
      const { body, signature } = next();
      const t = performance.now();
      const status = await post(agent, port, body, signature).catch(() => 0);
      latenciesMs.push(performance.now() - t);
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => client(ports[i % ports.length]!)));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return { requests: latenciesMs.length, errors, seconds: elapsed, latenciesMs };
}

/**
 * Requests at a fixed rate whatever the answers do. Latency counts from each request's scheduled
 * time, so a server that falls behind shows it (no coordinated omission).
 */
export async function openLoop(ports: number[], next: () => { body: string; signature: string }, perSecond: number, seconds: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const latenciesMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  const total = Math.round(perSecond * seconds);
  const interval = 1000 / perSecond;
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = start + sent * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, Math.min(wait, 5)));
    while (sent < total && start + sent * interval <= performance.now()) {
      const scheduled = start + sent * interval;
      const { body, signature } = next();
      inFlight.push(
        post(agent, ports[sent % ports.length]!, body, signature)
          .catch(() => 0)
          .then((status) => {
            latenciesMs.push(performance.now() - scheduled);
            if (status !== 200) errors++;
          }),
      );
      sent++;
    }
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { requests: latenciesMs.length, errors, seconds: (performance.now() - start) / 1000, latenciesMs };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(r: RunResult) {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { requests: r.requests, errors: r.errors, throughput: Math.round(r.requests / r.seconds), p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
}
