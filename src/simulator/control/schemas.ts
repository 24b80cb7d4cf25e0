import { z } from 'zod';

/** Bodies of the /_sim/ control API. */

const capabilities = z.object({ sms: z.boolean(), mms: z.boolean(), voice: z.boolean() }).partial();
const method = z.enum(['GET', 'POST']);

export const accountSettingsBody = z
  .object({
    friendlyName: z.string(),
    type: z.enum(['Trial', 'Full']),
    verifiedNumbers: z.array(z.string()),
    redaction: z.object({ body: z.boolean(), phoneNumbers: z.boolean() }).partial(),
  })
  .partial()
  .strict();

export const createAccountBody = accountSettingsBody.extend({
  sid: z.string().optional(),
  authToken: z.string().min(1).optional(),
});

export const applicationBody = z
  .object({ friendlyName: z.string(), smsUrl: z.string(), smsMethod: method })
  .partial()
  .strict();

export const authTokenBody = z.object({ authToken: z.string().min(1) });

export const incomingNumberSettingsBody = z
  .object({
    smsUrl: z.string(),
    smsMethod: method,
    smsApplicationSid: z.string(),
    smsFallbackUrl: z.string(),
    smsFallbackMethod: method,
    statusCallback: z.string(),
    friendlyName: z.string(),
    capabilities,
  })
  .partial()
  .strict();

export const incomingNumberBody = incomingNumberSettingsBody.extend({ phoneNumber: z.string() });

export const availableNumberBody = z.object({
  country: z.string().length(2),
  phoneNumber: z.string(),
  locality: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  capabilities: capabilities.optional(),
});

export const shortCodeBody = z.object({ shortCode: z.string() });

export const messagingServiceSettingsBody = z
  .object({
    friendlyName: z.string(),
    inboundRequestUrl: z.string(),
    inboundMethod: method,
    useInboundWebhookOnNumber: z.boolean(),
    fallbackUrl: z.string(),
    fallbackMethod: method,
    statusCallback: z.string(),
    advancedOptOut: z.boolean(),
    phoneNumbers: z.array(z.string()),
  })
  .partial()
  .strict();

export const messagingServiceBody = messagingServiceSettingsBody.extend({ sid: z.string().optional() });

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
    nextCreateFaults: z.array(z.enum(['server-error', 'timeout', 'accept-then-timeout', 'rate-limit', 'queue-full'])),
    hangMs: z.number().int().min(0),
    responseMs: z.number().int().min(0),
    concurrentRequests: z.number().int().positive().nullable(),
    messagesPerSecond: z.number().positive().nullable(),
    callbackDelayMs: z.number().int().min(0),
    callbackOrder: z.enum(['in-order', 'reversed']),
    dropStatusCallbacks: z.boolean(),
    failingWebhooks: z.array(
      z.object({ url: z.string().min(1), failure: z.enum(['refuse', 'server-error', 'timeout']) }).strict(),
    ),
  })
  .partial()
  .strict();
