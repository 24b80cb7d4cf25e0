/** The send job's kind and payload, shared by the API that enqueues it and the job that runs it. */
export const SEND_JOB = 'message.send';

export interface SendPayload {
  messageId: string;
  organizationId: string;
  /** The rate slot this job already claimed on its sender (SPEC §5), so it is not claimed twice. */
  slotAt?: number;
}

/** The one place send payloads are written: queries.ts finds send jobs by this key order. */
export function sendPayload(messageId: string, organizationId: string, slotAt?: number): SendPayload {
  return slotAt === undefined ? { messageId, organizationId } : { messageId, organizationId, slotAt };
}
