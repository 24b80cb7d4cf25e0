import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

export type TwilioClient = ReturnType<typeof twilio>;

/** The official client, configured only with credentials and the simulator's URL. */
export function clientFor(sim: Simulator, accountSid: string, authToken: string, timeoutMs?: number): TwilioClient {
  const client = twilio(accountSid, authToken, timeoutMs === undefined ? {} : { timeout: timeoutMs });
  client.api.baseUrl = sim.url;
  client.messaging.baseUrl = sim.url;
  return client;
}

export interface World {
  sim: Simulator;
  accountSid: string;
  authToken: string;
  client: TwilioClient;
}

/** A simulator on a free port with one account and a client for it. */
export async function startWorld(): Promise<World> {
  const sim = await startSimulator();
  const { sid, authToken } = sim.createAccount();
  return { sim, accountSid: sid, authToken, client: clientFor(sim, sid, authToken) };
}

type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/** Polls until `probe` returns (or resolves to) something truthy; no fixed sleeps. */
export async function waitFor<T>(probe: Probe<T>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface ReceivedRequest {
  method: string;
  /** The full URL the request was sent to, query string included. */
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  /** twilio.validateRequest's verdict on X-Twilio-Signature. */
  signatureValid: boolean;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** What to answer; empty TwiML by default. */
  respond: (req: ReceivedRequest) => { status: number; body: string | Buffer; contentType?: string };
  close(): Promise<void>;
}

/** A tiny webhook receiver that validates every request with twilio's own validateRequest. */
export async function startReceiver(authToken: () => string): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 200, body: '<Response/>' }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = receiver.url + (req.url ?? '/');
      const form = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())) : {};
      const signature = String(req.headers['x-twilio-signature'] ?? '');
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url,
        headers: req.headers,
        params: req.method === 'POST' ? form : Object.fromEntries(new URL(url).searchParams),
        signatureValid: twilio.validateRequest(authToken(), signature, url, form),
      };
      receiver.requests.push(received);
      const answer = receiver.respond(received);
      res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'text/xml' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** A 1x1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Asserts a twilio-node call fails with this Twilio error code; returns the exception. */
export async function twilioError(promise: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; code: number; message: string; moreInfo: string };
  }
  throw new Error('expected the call to fail');
}

/** A raw REST call with basic auth, for what twilio-node refuses to send (e.g. a create without To). */
export async function rawRest(
  w: World,
  method: 'GET' | 'POST',
  path: string,
  form?: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${w.sim.url}${path}`, {
    method,
    headers: {
      Authorization: 'Basic ' + Buffer.from(`${w.accountSid}:${w.authToken}`).toString('base64'),
      ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
