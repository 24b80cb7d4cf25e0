import type { Conn } from '../../db/database.js';
import { enqueue } from '../../jobs/queue.js';

/** The send job's kind and payload, shared by the API that enqueues it and the job that runs it. */
export const SEND_JOB = 'message.send';

export interface SendPayload {
  messageId: string;
  organizationId: string;
  /** The rate slot this job already claimed on its sender (docs/rules.md#outbound-messages), so it is not claimed twice. */
  slotAt?: number;
}

export function sendPayload(messageId: string, organizationId: string, slotAt?: number): SendPayload {
  return slotAt === undefined ? { messageId, organizationId } : { messageId, organizationId, slotAt };
}

/** The message's send job, in the caller's transaction; its subject is the message, to find it again on a retry. */
export const enqueueSend = (conn: Conn, messageId: string, organizationId: string, now: number) =>
  enqueue(conn, SEND_JOB, sendPayload(messageId, organizationId), { now, subject: messageId, organizationId });
