import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import type { SimMedia } from '../model.js';
import { requestAccount } from './auth.js';
import { notFound, requestPath } from './errors.js';
import { page2010 } from './paging.js';
import { presentMedia } from './presenters.js';

type MessageParams = { accountSid: string; sid: string };
type MediaParams = MessageParams & { mediaSid: string };

/**
 * A message's media. The bare media URL (what inbound webhooks carry as MediaUrl{N}) needs
 * basic auth and answers with a redirect to the media host, which serves the bytes without
 * auth — the way Twilio hands out its CDN URLs.
 */
export function registerMedia(api: FastifyInstance, ctx: SimContext): void {
  const find = (p: MediaParams, accountSid: string): SimMedia | undefined => {
    const media = ctx.store.media.get(p.mediaSid);
    return media && media.accountSid === accountSid && media.messageSid === p.sid ? media : undefined;
  };

  api.get<{ Params: MediaParams }>('/Accounts/:accountSid/Messages/:sid/Media/:mediaSid', async (request, reply) => {
    const account = requestAccount(request, request.params.accountSid);
    const media = find(request.params, account.sid);
    if (!media) throw notFound(requestPath(request));
    return reply.redirect(media.url, 302);
  });

  api.get<{ Params: MediaParams }>('/Accounts/:accountSid/Messages/:sid/Media/:mediaSid.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const media = find(request.params, account.sid);
    if (!media) throw notFound(requestPath(request));
    return presentMedia(media);
  });

  api.get<{ Params: MessageParams }>('/Accounts/:accountSid/Messages/:sid/Media.json', async (request) => {
    const account = requestAccount(request, request.params.accountSid);
    const message = ctx.store.message(request.params.sid);
    if (!message || message.accountSid !== account.sid) throw notFound(requestPath(request));
    return page2010(request, message.media, { key: 'media_list', sidOf: (m) => m.sid, present: presentMedia, filters: {} });
  });
}
