import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { SimContext } from '../context.js';
import type { WebhookFailure } from '../faults.js';
import { DEMO_SMS_URL, type HttpMethod, type WebhookLogEntry } from '../model.js';
import { twilioSignature, type FormParams } from '../signature.js';

export interface WebhookRequest {
  kind: WebhookLogEntry['kind'];
  messageSid: string;
  url: string;
  method: HttpMethod;
  params: FormParams;
  authToken: string;
}

// What Twilio's demo URL answers; the simulator never calls the real one (tests make no outside calls).
const DEMO_REPLY =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks for the message. Configure your number\'s SMS URL to change this message.Reply HELP for help.Reply STOP to unsubscribe.Msg&amp;Data rates may apply.</Message></Response>';

// What the log shows for each injected failure: the same as a real refusal, 500 or timeout.
const INJECTED_FAILURES: Record<WebhookFailure, Pick<WebhookLogEntry, 'status' | 'body' | 'error'>> = {
  refuse: { status: 0, body: '', error: 'Error: connect ECONNREFUSED (injected)' },
  'server-error': { status: 500, body: '', error: null },
  timeout: { status: 0, body: '', error: 'TimeoutError: The operation was aborted due to timeout (injected)' },
};

/**
 * Sends a webhook as Twilio does: form-encoded POST (or GET with the parameters in the query
 * string), signed with `X-Twilio-Signature` over the exact URL, and records the answer in the
 * webhook log. Never throws: a refused or timed-out request is logged with status 0. A target
 * named in the `failingWebhooks` fault is not called at all; its failure is logged as if it had.
 */
export async function sendWebhook(ctx: SimContext, req: WebhookRequest): Promise<WebhookLogEntry> {
  const { url, signedParams, body } = encode(req);
  const signature = twilioSignature(req.authToken, url, signedParams);
  const entry: WebhookLogEntry = {
    kind: req.kind, messageSid: req.messageSid, url, method: req.method, params: req.params,
    signature, status: 0, body: '', error: null, at: new Date(),
  };
  const failing = ctx.store.faults.failingWebhooks.find((f) => req.url.startsWith(f.url));
  if (req.url === DEMO_SMS_URL) {
    Object.assign(entry, { status: 200, body: DEMO_REPLY });
  } else if (failing) {
    Object.assign(entry, INJECTED_FAILURES[failing.failure]);
  } else {
    await call(ctx, entry, body, signature);
  }
  ctx.store.webhookLog.push(entry);
  return entry;
}

function encode(req: WebhookRequest): { url: string; signedParams: FormParams; body: string | undefined } {
  const form = new URLSearchParams(req.params).toString();
  if (req.method === 'GET') {
    const url = req.url + (req.url.includes('?') ? '&' : '?') + form;
    return { url, signedParams: {}, body: undefined };
  }
  return { url: req.url, signedParams: req.params, body: form };
}

/*
 * Plain node:http with kept-alive connections rather than fetch: undici's streams and signals
 * cost the simulator more CPU per callback than the app spends handling it, and a benchmark
 * runs both on the same cores.
 */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

async function call(ctx: SimContext, entry: WebhookLogEntry, body: string | undefined, signature: string): Promise<void> {
  const headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) }),
    'X-Twilio-Signature': signature,
    'I-Twilio-Idempotency-Token': randomUUID(),
    'User-Agent': 'TwilioProxy/1.1',
    Accept: '*/*',
  };
  try {
    // Redirects are not followed: the answer is what the URL itself said.
    const answer = await request(entry.url, entry.method, headers, body, ctx.webhookTimeoutMs, ctx.background.signal);
    entry.status = answer.status;
    entry.body = answer.body;
  } catch (error) {
    entry.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!ctx.background.stopped) ctx.log(`webhook ${entry.method} ${entry.url} failed: ${entry.error}`);
  }
}

function request(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, stop: AbortSignal) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const options = { method, headers, agent: secure ? agents.https : agents.http, signal: stop };
    const req = (secure ? https : http).request(target, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
      res.on('error', fail);
    });
    // Twilio gives the whole exchange, not each read, its time limit.
    const timer = setTimeout(() => {
      const timeout = new Error('The operation was aborted due to timeout');
      timeout.name = 'TimeoutError';
      req.destroy(timeout);
    }, timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    req.end(body);
  });
}
