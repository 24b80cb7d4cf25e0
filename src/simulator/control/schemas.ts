import { z } from 'zod';

/** Bodies of the /_sim/ control API. */

const capabilities = z.object({ sms: z.boolean(), mms: z.boolean(), voice: z.boolean() }).partial();
const method = z.enum(['GET', 'POST']);

export const createAccountBody = z.object({
  sid: z.string().optional(),
  authToken: z.string().min(1).optional(),
  friendlyName: z.string().optional(),
});

export const authTokenBody = z.object({ authToken: z.string().min(1) });

export const incomingNumberBody = z.object({
  phoneNumber: z.string(),
  smsUrl: z.string().optional(),
  smsMethod: method.optional(),
  statusCallback: z.string().optional(),
  friendlyName: z.string().optional(),
  capabilities: capabilities.optional(),
});

export const availableNumberBody = z.object({
  country: z.string().length(2),
  phoneNumber: z.string(),
  locality: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  capabilities: capabilities.optional(),
});

export const shortCodeBody = z.object({ shortCode: z.string() });

export const messagingServiceBody = z.object({
  sid: z.string().optional(),
  friendlyName: z.string().optional(),
  phoneNumbers: z.array(z.string()).optional(),
  inboundRequestUrl: z.string().optional(),
  inboundMethod: method.optional(),
  useInboundWebhookOnNumber: z.boolean().optional(),
});

export const phoneSendBody = z.object({
  to: z.string(),
  body: z.string().optional(),
  media: z
    .array(z.object({ contentType: z.string().min(1), data: z.string().describe('base64') }))
    .max(10)
    .optional(),
});

const rate = z.number().min(0).max(1);
const phones = z.array(z.string());

export const faultsBody = z
  .object({
    undeliveredNumbers: phones,
    failedNumbers: phones,
    filteredNumbers: phones,
    serverErrorRate: rate,
    timeoutRate: rate,
    acceptThenTimeoutRate: rate,
    nextCreateFaults: z.array(z.enum(['server-error', 'timeout', 'accept-then-timeout', 'rate-limit'])),
    hangMs: z.number().int().min(0),
    messagesPerSecond: z.number().positive().nullable(),
    callbackDelayMs: z.number().int().min(0),
    callbackOrder: z.enum(['in-order', 'reversed']),
    dropStatusCallbacks: z.boolean(),
  })
  .partial()
  .strict();
