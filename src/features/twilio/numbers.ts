import type { Context } from '../../context.js';
import { invalid } from '../../errors.js';
import type { AuthUser } from '../accounts/sessions.js';
import { clientFor } from './accounts.js';
import { presentAvailableNumber, presentIncomingNumber } from './presenters.js';
import * as q from './queries.js';
import { requireConnectedAccount, withSavedToken } from './senders.js';
import * as api from './twilio-api.js';
import { inboundWebhookUrl, routeOwner } from './webhook-url.js';

/** The account's own numbers, so an admin picks one instead of typing it; each says whether Parley already uses it and which service holds it. */
export async function incomingNumbers(ctx: Context, auth: AuthUser) {
  const account = await requireConnectedAccount(ctx, auth.organizationId);
  const client = clientFor(ctx, account);
  const [numbers, pools] = await withSavedToken('phoneNumber', () => Promise.all([api.listIncomingNumbers(client), api.listServicePools(client)]));
  const senders = new Map((await q.listSenders(ctx.db, auth.organizationId, { activeOnly: true })).map((s) => [s.address, s.id]));
  const ours = inboundWebhookUrl(ctx.config.publicUrl);
  const present = (n: api.TwilioNumber) =>
    presentIncomingNumber(n, senders.get(n.phoneNumber) ?? null, routeOwner(n.route, ours), pools.get(n.phoneNumber)?.serviceSid ?? null);
  return { items: numbers.map(present), nextCursor: null };
}

export interface AvailableSearch {
  country: string;
  areaCode?: number;
  contains?: string;
  mmsEnabled?: boolean;
}

/** Local numbers for sale, always SMS-capable (a support desk cannot use any other). */
export async function availableNumbers(ctx: Context, auth: AuthUser, search: AvailableSearch) {
  const account = await requireConnectedAccount(ctx, auth.organizationId);
  const found = await withSavedToken('country', async () => {
    try {
      return await api.searchAvailableNumbers(clientFor(ctx, account), search.country, search);
    } catch (err) {
      if (err instanceof api.TwilioRefused && err.notFound) throw invalid('country', `Twilio has no local numbers for sale in ${search.country}`);
      throw err;
    }
  });
  return { items: found.map(presentAvailableNumber), nextCursor: null };
}
