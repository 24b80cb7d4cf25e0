import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimContext } from '../context.js';
import { startOutboundDelivery } from '../delivery/outbound.js';
import { happens, type CreateFault } from '../faults.js';
import type { SimMessage } from '../model.js';
import { requestAccount } from './auth.js';
import { badRequest, notFound, queueFull, requestPath, serverError, tooManyRequests } from './errors.js';
import { hangThenDrop } from './fault-hook.js';
import { asForm, param, type Form } from './form.js';
import { buildOutboundMessage } from './message-create.js';
import { page2010 } from './paging.js';
import { presentMessage } from './presenters.js';
import { asRedacted } from './redaction.js';

type AccountParams = { accountSid: string };
type MessageParams = AccountParams & { sid: string };

/** Messages: create (send), fetch, and list with Twilio's filters, newest first. */
export function registerMessages(api: FastifyInstance, ctx: SimContext): void {
  api.post<{ Params: AccountParams }>('/Accounts/:accountSid/Messages.json', async (request, reply) => {
    const account = requestAccount(request, request.params.accountSid);
    const fault = nextCreateFault(ctx);
    if (fault === 'server-error') throw serverError();
    if (fault === 'rate-limit') throw tooManyRequests();
    if (fault === 'queue-full') throw queueFull();
    if (fault === 'timeout') return hangThenDrop(ctx, reply);

    const message = buildOutboundMessage(ctx, account, asForm(request.body));
    if (!ctx.rateWindow.admit(account.sid, ctx.store.faults.messagesPerSecond)) throw tooManyRequests();
    ctx.store.addMessage(message);
    const created = presentMessage(message); // as created, before delivery moves it on
    startOutboundDelivery(ctx, message);

    if (fault === 'accept-then-timeout') return answerLate(ctx, reply, created);
    return reply.code(201).send(created);
  });

  api.get<{ Params: MessageParams }>('/Accounts/:accountSid/Messages/:sid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const message = ctx.store.message(request.params.sid);
    if (!message || message.accountSid !== account.sid) throw notFound(requestPath(request));
    return presentMessage(asRedacted(ctx.store, message));
  });

  api.get<{ Params: AccountParams }>('/Accounts/:accountSid/Messages.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const query = asForm(request.query);
    const filters = pickFilters(query);
    // Filters see what Twilio kept: a redacted number matches only in its redacted form.
    const matching = ctx.store.messages
      .filter((m) => m.accountSid === account.sid)
      .map((m) => asRedacted(ctx.store, m))
      .filter((m) => matches(m, filters))
      .reverse();
    return page2010(request, matching, {
      key: 'messages',
      sidOf: (m) => m.sid,
      present: presentMessage,
      filters,
    });
  });
}

function nextCreateFault(ctx: SimContext): CreateFault | undefined {
  const faults = ctx.store.faults;
  const queued = faults.nextCreateFaults.shift();
  if (queued) return queued;
  return happens(faults.acceptThenTimeoutRate) ? 'accept-then-timeout' : undefined;
}

/** The message exists and proceeds, but the answer comes only after `hangMs` — long after a client gave up. */
async function answerLate(ctx: SimContext, reply: FastifyReply, body: object): Promise<FastifyReply> {
  try {
    await ctx.background.sleep(ctx.store.faults.hangMs);
  } catch {
    reply.hijack();
    reply.raw.destroy();
    return reply;
  }
  return reply.code(201).send(body);
}

const FILTERS = ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function pickFilters(query: Form): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = param(query, name);
    if (value !== undefined && value !== '') filters[name] = value;
  }
  return filters;
}

function matches(m: SimMessage, f: Filters): boolean {
  if (f.To !== undefined && m.to !== f.To) return false;
  if (f.From !== undefined && m.from !== f.From) return false;
  const hasDateFilter = f.DateSent !== undefined || f['DateSent<'] !== undefined || f['DateSent>'] !== undefined;
  if (!hasDateFilter) return true;
  if (!m.dateSent) return false;
  const sent = m.dateSent.getTime();
  // `DateSent>=2024-01-01` on the wire is the parameter `DateSent>`: on or after that day.
  if (f.DateSent !== undefined && utcDay(f.DateSent) !== utcDay(m.dateSent)) return false;
  if (f['DateSent>'] !== undefined && sent < Date.parse(utcDay(f['DateSent>']))) return false;
  if (f['DateSent<'] !== undefined && sent >= Date.parse(utcDay(f['DateSent<'])) + 86_400_000) return false;
  return true;
}

/**
 * The UTC day a date filter names. Twilio documents these filters as dates (`YYYY-MM-DD`, GMT):
 * twilio-node sends a date-time, whose time of day is not promised to count, so here it never
 * does — a caller that needs a finer boundary must filter what it gets.
 */
function utcDay(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const at = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(at)) throw badRequest(20001, `Invalid date filter value: ${String(value)}`);
  return new Date(at).toISOString().slice(0, 10);
}
