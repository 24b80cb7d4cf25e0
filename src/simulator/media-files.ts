import type { SimContext } from './context.js';
import type { SimMedia } from './model.js';
import { newSid, newUrlToken } from './sids.js';

/** A media item of a message, served by the media host at an unguessable, unauthenticated URL. */
export function createMedia(
  ctx: SimContext,
  owner: { accountSid: string; messageSid: string },
  file: { contentType: string; data: Buffer },
): SimMedia {
  const sid = newSid('ME');
  const token = newUrlToken();
  return {
    sid,
    messageSid: owner.messageSid,
    accountSid: owner.accountSid,
    contentType: file.contentType,
    data: file.data,
    url: `${ctx.urls.media}/${token}/${sid}`,
    token,
    dateCreated: new Date(),
  };
}

/** Where Twilio's REST API serves a media item's bytes (behind basic auth, answered with a redirect). */
export function apiMediaUrl(ctx: SimContext, media: SimMedia): string {
  return `${ctx.urls.api}/2010-04-01/Accounts/${media.accountSid}/Messages/${media.messageSid}/Media/${media.sid}`;
}
