import type { Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * What Parley replaced when it took over a sender's inbound route at Twilio, so removing the
 * sender or disconnecting can put it back instead of leaving the number with no route at all.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('senders').addColumn('previous_webhook_url', 'text').execute();
  await db.schema.alterTable('senders').addColumn('previous_webhook_method', 'text').execute();
  await db.schema.alterTable('senders').addColumn('previous_sms_application_sid', 'text').execute();
  await db.schema.alterTable('senders').addColumn('previous_use_inbound_webhook_on_number', 'integer').execute();
}
