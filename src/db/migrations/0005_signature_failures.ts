import type { Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * Webhooks refused for their signature, on the account row the webhook reads anyway: a run of
 * failures is counted where every web process sees it, and a valid webhook learns from the row
 * it already has whether there is anything to clear.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('twilio_accounts').addColumn('signature_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('twilio_accounts').addColumn('signature_failure_at', 'bigint').execute();
}
