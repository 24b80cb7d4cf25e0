import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ControlError } from '../control-error.js';
import type { SimOperations } from '../operations.js';
import { presentSimMessage } from './present.js';
import {
  accountSettingsBody,
  applicationBody,
  authTokenBody,
  availableNumberBody,
  createAccountBody,
  faultsBody,
  incomingNumberBody,
  incomingNumberSettingsBody,
  messagingServiceBody,
  messagingServiceSettingsBody,
  phoneSendBody,
  shortCodeBody,
} from './schemas.js';

// Base64 pictures from the phone page: up to 10 items of a few MB each.
const PHONE_SEND_BODY_LIMIT = 60 * 1024 * 1024;

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ControlError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ControlError(404, `No ${what}`);
  return value;
}

type Sid = { Params: { sid: string } };

/** The simulator's own JSON control API under /_sim/, mirroring the in-process operations. */
export function registerControlApi(app: FastifyInstance, sim: SimOperations): void {
  app.post('/_sim/accounts', async (req, reply) => reply.code(201).send(sim.createAccount(parse(createAccountBody, req.body))));
  app.put<Sid>('/_sim/accounts/:sid/auth-token', async (req) => {
    const { authToken } = parse(authTokenBody, req.body);
    sim.setAuthToken(req.params.sid, authToken);
    return { sid: req.params.sid, authToken };
  });
  app.get<Sid>('/_sim/accounts/:sid', async (req) => found(sim.getAccount(req.params.sid), `account ${req.params.sid}`));
  app.patch<Sid>('/_sim/accounts/:sid', async (req) => sim.updateAccount(req.params.sid, parse(accountSettingsBody, req.body)));
  app.post<Sid>('/_sim/accounts/:sid/applications', async (req, reply) =>
    reply.code(201).send(sim.addApplication(req.params.sid, parse(applicationBody, req.body))));

  app.post<Sid>('/_sim/accounts/:sid/incoming-numbers', async (req, reply) => {
    const { phoneNumber, ...opts } = parse(incomingNumberBody, req.body);
    return reply.code(201).send(sim.addIncomingNumber(req.params.sid, phoneNumber, opts));
  });
  app.get<{ Params: { phone: string } }>('/_sim/incoming-numbers/:phone', async (req) =>
    found(sim.getIncomingNumber(req.params.phone), `incoming number ${req.params.phone}`));
  app.patch<{ Params: { phone: string } }>('/_sim/incoming-numbers/:phone', async (req) =>
    sim.updateIncomingNumber(req.params.phone, parse(incomingNumberSettingsBody, req.body)));

  app.post('/_sim/available-numbers', async (req, reply) => {
    const { country, phoneNumber, ...opts } = parse(availableNumberBody, req.body);
    return reply.code(201).send(sim.addAvailableNumber(country, phoneNumber, opts));
  });
  app.get<{ Querystring: { country?: string } }>('/_sim/available-numbers', async (req) => sim.availableNumbers(req.query.country));

  app.post<Sid>('/_sim/accounts/:sid/short-codes', async (req, reply) =>
    reply.code(201).send(sim.addShortCode(req.params.sid, parse(shortCodeBody, req.body).shortCode)));
  app.get<{ Params: { code: string } }>('/_sim/short-codes/:code', async (req) =>
    found(sim.getShortCode(req.params.code), `short code ${req.params.code}`));

  app.post<Sid>('/_sim/accounts/:sid/messaging-services', async (req, reply) =>
    reply.code(201).send(sim.addMessagingService(req.params.sid, parse(messagingServiceBody, req.body))));
  app.get<Sid>('/_sim/messaging-services/:sid', async (req) =>
    found(sim.getMessagingService(req.params.sid), `Messaging Service ${req.params.sid}`));
  app.patch<Sid>('/_sim/messaging-services/:sid', async (req) =>
    sim.updateMessagingService(req.params.sid, parse(messagingServiceSettingsBody, req.body)));

  app.get('/_sim/support-numbers', async () => sim.supportNumbers());

  type Phone = { Params: { phone: string } };
  app.post<Phone>('/_sim/phones/:phone/messages', { bodyLimit: PHONE_SEND_BODY_LIMIT }, async (req) => {
    const { to, body, media } = parse(phoneSendBody, req.body);
    return sim.phoneSend({
      from: req.params.phone,
      to,
      ...(body === undefined ? {} : { body }),
      media: (media ?? []).map((m) => ({ contentType: m.contentType, data: Buffer.from(m.data, 'base64') })),
    });
  });
  app.get<Phone>('/_sim/phones/:phone/inbox', async (req) => sim.phoneInbox(req.params.phone).map(presentSimMessage));
  app.get<Phone & { Querystring: { with?: string } }>('/_sim/phones/:phone/messages', async (req) => {
    if (!req.query.with) throw new ControlError(400, 'with: the number or short code of the conversation is required');
    return sim.phoneThread(req.params.phone, req.query.with).map(presentSimMessage);
  });

  app.get<{ Querystring: { accountSid?: string } }>('/_sim/messages', async (req) =>
    sim.messages(req.query.accountSid).map(presentSimMessage));

  app.get<{ Querystring: { kind?: 'inbound' | 'status-callback'; messageSid?: string } }>('/_sim/webhooks', async (req) =>
    sim.webhooks(req.query));

  app.get('/_sim/faults', async () => sim.faults);
  app.put('/_sim/faults', async (req) => {
    sim.setFaults(parse(faultsBody, req.body));
    return sim.faults;
  });
  app.delete('/_sim/faults', async () => {
    sim.resetFaults();
    return sim.faults;
  });
}
