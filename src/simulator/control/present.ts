import type { SimMessage } from '../model.js';

/** A message as the control API shows it: no media bytes, a URL to view each item instead. */
export function presentSimMessage(m: SimMessage) {
  return {
    sid: m.sid,
    accountSid: m.accountSid,
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    messagingServiceSid: m.messagingServiceSid,
    numSegments: m.numSegments,
    numMedia: m.numMedia,
    media: m.media.map((item) => ({ sid: item.sid, contentType: item.contentType, url: item.url })),
    statusCallback: m.statusCallback,
    dateCreated: m.dateCreated.toISOString(),
    dateSent: m.dateSent?.toISOString() ?? null,
  };
}
