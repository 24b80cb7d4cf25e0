/**
 * The demo's contents, put in place the way a team would: through the HTTP API and the
 * simulator's phones, so everything the inbox shows went through the real flows.
 */
import type { FastifyInstance } from 'fastify';
import type { Simulator } from '../src/simulator/index.js';
import { crackedMugPicture } from './picture.js';

export type Call = <T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) => Promise<T>;

/** Calls the app in-process as a signed-in user; any refusal stops the demo with the API's own message. */
export function apiAs(app: FastifyInstance, token: string | null): Call {
  return async function call<T>(method: Parameters<Call>[0], url: string, payload?: object): Promise<T> {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return (res.body ? res.json() : undefined) as T;
  };
}

interface Team {
  admin: Call;
  agent: Call;
  agentId: string;
}

interface Conversation {
  id: string;
  customer: { id: string; phone: string };
}

// Fictional 555-01xx numbers, outside area code 415 so the phone page's random visitor number
// (+1 628 555-01xx) never lands in one of these threads.
const PRIYA = '+15035550188';
const MAYA = '+12125550123';
const CANADA = '+13125550145';
const JORDAN = '+16175550167';

/** Texts the support number from a simulated phone and insists the desk took it. */
async function text(sim: Simulator, from: string, to: string, body: string, picture?: Buffer): Promise<void> {
  const media = picture ? [{ contentType: 'image/png', data: picture }] : undefined;
  const result = await sim.phoneSend({ from, to, body, ...(media ? { media } : {}) });
  if (result.webhookStatus !== 200) {
    throw new Error(`The desk refused a text from ${from} (${result.webhookStatus}): ${result.webhookBody}`);
  }
}

async function conversationWith(call: Call, phone: string, status: 'open' | 'closed' = 'open'): Promise<Conversation> {
  const page = await call<{ items: Conversation[] }>('GET', `/api/conversations?status=${status}&limit=100`);
  const found = page.items.find((c) => c.customer.phone === phone);
  if (!found) throw new Error(`No ${status} conversation with ${phone} after its text arrived`);
  return found;
}

/**
 * Four customers, oldest first so the newest sits at the top of the inbox: one solved and
 * closed, one answered by the agent, one waiting for an answer, one with a photo of a broken mug.
 */
export async function seedConversations(sim: Simulator, team: Team, supportNumber: string): Promise<Conversation[]> {
  const { admin, agent } = team;

  await text(sim, PRIYA, supportNumber, 'Hi, the app keeps logging me out on my phone. Every time I open it I have to sign in again.');
  const priya = await conversationWith(admin, PRIYA);
  await admin('PATCH', `/api/customers/${priya.customer.id}`, { name: 'Priya Natarajan', email: 'priya@example.com' });
  await admin('POST', `/api/conversations/${priya.id}/messages`, {
    body: 'Sorry about that, Priya! Version 4.2 of the app fixes the sign-out bug. Could you update it from the App Store and try again?',
  });
  await text(sim, PRIYA, supportNumber, 'Updated, and it remembers me now. Thanks!');
  await admin('PATCH', `/api/conversations/${priya.id}`, { status: 'closed' });

  await text(sim, MAYA, supportNumber, 'Hi! My order #4411 still says "processing" after 5 days. Any update?');
  const maya = await conversationWith(admin, MAYA);
  await admin('PATCH', `/api/customers/${maya.customer.id}`, {
    name: 'Maya Chen',
    notes: 'Order #4411: Blue Ridge mug set, ordered Monday. Prefers texts to calls.',
  });
  await admin('PATCH', `/api/conversations/${maya.id}`, { assigneeId: team.agentId });
  await agent('POST', `/api/conversations/${maya.id}/messages`, {
    body: "Hi Maya, I'm sorry for the wait. Your order left our warehouse this morning; you'll get the tracking link by email today.",
  });

  await text(sim, CANADA, supportNumber, 'Do you ship to Canada?');
  await text(sim, CANADA, supportNumber, 'Also, is the blue one back in stock?');
  const canada = await conversationWith(admin, CANADA);

  await text(sim, JORDAN, supportNumber, 'The mug arrived like this 😕 Can you send a new one?', crackedMugPicture());
  const jordan = await conversationWith(admin, JORDAN);
  await admin('PATCH', `/api/customers/${jordan.customer.id}`, { name: 'Jordan Alvarez' });

  return [priya, maya, canada, jordan];
}

interface Message {
  direction: 'inbound' | 'outbound';
  status: string;
  media: { status?: string }[];
}

/** Waits until every reply is delivered and every photo is stored, so the desk opens settled. */
export async function settled(call: Call, conversations: Conversation[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const threads = await Promise.all(conversations.map((c) => call<{ items: Message[] }>('GET', `/api/conversations/${c.id}/messages`)));
    const messages = threads.flatMap((t) => t.items);
    const waiting = messages.filter((m) => (m.direction === 'outbound' && m.status !== 'delivered') || m.media.some((x) => x.status === 'pending'));
    if (waiting.length === 0) return;
    const failed = messages.find((m) => m.status === 'failed' || m.status === 'undelivered' || m.media.some((x) => x.status === 'failed'));
    if (failed) throw new Error(`A demo message did not go through: ${JSON.stringify(failed)}`);
    if (Date.now() > deadline) throw new Error(`${waiting.length} demo messages were still on their way after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
