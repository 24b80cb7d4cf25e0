/** docs/operations.md#metrics: /metrics is hidden without its token, and its figures move as things happen. */
import { afterEach, describe, expect, it } from 'vitest';
import { recordCatchupRun } from '../../src/metrics.js';
import { eventually } from '../helpers/api.js';
import { inboundParams, openEventStream, postWebhook } from '../helpers/inbound.js';
import { messageRow } from '../helpers/outbound.js';
import { ENGINES } from '../helpers/server.js';
import { createTwilioWorld, type TwilioWorld } from '../helpers/twilio-world.js';

const TOKEN = 'metrics-token-for-tests-0001';
const FAILING_PHONE = '+14155550177';

for (const engine of ENGINES) {
  describe(`/metrics (${engine})`, () => {
    let world: TwilioWorld | undefined;
    afterEach(async () => {
      await world?.destroy();
      world = undefined;
    });

    const scrape = async (w: TwilioWorld, token = TOKEN) => {
      const res = await fetch(`${w.publicUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };
    /** One sample's value; 0 when the series does not exist yet. */
    const sample = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };

    it('does not exist without METRICS_TOKEN, nor for a request without it', async () => {
      world = await createTwilioWorld(engine);
      expect((await scrape(world)).status).toBe(404);
      await world.destroy();

      world = await createTwilioWorld(engine, { env: { METRICS_TOKEN: TOKEN } });
      expect((await fetch(`${world.publicUrl}/metrics`)).status).toBe(404);
      expect((await scrape(world, TOKEN + 'x')).status).toBe(404);
      const ok = await scrape(world);
      expect(ok.status).toBe(200);
      expect(ok.type).toContain('text/plain');
      for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'parley_sse_connections', 'parley_jobs_oldest_due_age_seconds']) {
        expect(ok.text).toContain(`\n${name} `);
      }
    });

    it('counts webhooks by outcome and refusal reason, and requests by route pattern', async () => {
      world = await createTwilioWorld(engine, { env: { METRICS_TOKEN: TOKEN } });
      const params = inboundParams(world);
      expect((await postWebhook(world, params)).status).toBe(200);
      expect((await postWebhook(world, params)).status).toBe(200);
      expect((await postWebhook(world, inboundParams(world), { authToken: 'f'.repeat(32) })).status).toBe(403);
      expect((await postWebhook(world, inboundParams(world, { AccountSid: 'AC' + '0'.repeat(32) }))).status).toBe(403);
      expect((await postWebhook(world, inboundParams(world, { To: '+14155550111' }))).status).toBe(404);

      const { text } = await scrape(world);
      expect(sample(text, 'parley_webhooks_total{webhook="message",outcome="stored"}')).toBe(1);
      expect(sample(text, 'parley_webhooks_total{webhook="message",outcome="duplicate"}')).toBe(1);
      expect(sample(text, 'parley_webhooks_total{webhook="message",outcome="bad_signature"}')).toBe(1);
      expect(sample(text, 'parley_webhooks_total{webhook="message",outcome="unknown_account"}')).toBe(1);
      expect(sample(text, 'parley_webhooks_total{webhook="message",outcome="unknown_sender"}')).toBe(1);
      expect(sample(text, 'parley_http_requests_total{method="POST",route="/webhooks/twilio/messages",status="200"}')).toBe(2);
      expect(sample(text, 'parley_http_request_duration_seconds_count{method="POST",route="/webhooks/twilio/messages",status="403"}')).toBe(2);
    });

    it('counts sends and failures by error code, jobs by state, and open event streams', async () => {
      world = await createTwilioWorld(engine, { env: { METRICS_TOKEN: TOKEN } });
      const w = world;
      w.sim.setFaults({ undeliveredNumbers: [FAILING_PHONE] });
      const sent = await w.agent.api.post('/api/conversations', { senderId: w.sender.id, phone: '+14155550199', body: 'Hello' });
      const failing = await w.agent.api.post('/api/conversations', { senderId: w.sender.id, phone: FAILING_PHONE, body: 'Hello' });
      await eventually(async () => (await messageRow(w, sent.body.message.id)).status === 'delivered', { what: 'the first message delivered' });
      await eventually(async () => (await messageRow(w, failing.body.message.id)).status === 'undelivered', { what: 'the second undelivered' });
      let text = (await scrape(w)).text;
      expect(sample(text, 'parley_messages_sent_total')).toBe(2);
      expect(sample(text, 'parley_messages_failed_total{error_code="30003"}')).toBe(1);
      expect(sample(text, 'parley_webhooks_total{webhook="status",outcome="applied"}')).toBeGreaterThan(0);

      // A job nobody runs yet is due, and its age shows.
      await w.server.runner!.stop();
      await w.server.ctx.db
        .insertInto('jobs')
        .values({ id: 'job-metrics-1', kind: 'send', payload: '{}', subject: null, organizationId: null, status: 'pending', runAt: Date.now() - 5000, attempts: 0, createdAt: Date.now() - 5000 })
        .execute();
      const stream = await openEventStream(w.publicUrl, w.agent.token);
      text = (await scrape(w)).text;
      expect(sample(text, 'parley_jobs{kind="send",state="due"}')).toBe(1);
      expect(sample(text, 'parley_jobs_oldest_due_age_seconds')).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'parley_sse_connections')).toBe(1);
      await stream.close();
      await eventually(async () => sample((await scrape(w)).text, 'parley_sse_connections') === 0, { what: 'the stream to be counted closed' });

      // The world's worker runs the catch-up on its own too: count from here.
      const runsBefore = sample(text, 'parley_catchup_runs_total{outcome="ok"}');
      const storedBefore = sample(text, 'parley_catchup_found_total{kind="inbound_stored"}');
      recordCatchupRun(w.server.ctx.metrics, { ok: true, found: { inbound_stored: 2, statuses_refreshed: 0 } });
      text = (await scrape(w)).text;
      expect(sample(text, 'parley_catchup_runs_total{outcome="ok"}')).toBe(runsBefore + 1);
      expect(sample(text, 'parley_catchup_found_total{kind="inbound_stored"}')).toBe(storedBefore + 2);
    });
  });
}
