import { sql, type Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

/**
 * Jobs were found by matching their JSON payload as text, which depends on the order of its
 * keys. A job now names what it is about (`subject`: a message or media id) and whose it is
 * (`organization_id`) in columns of their own; rows already queued take them from their payload.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('subject', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('organization_id', 'text').execute();
  const field = (name: string) => (engine === 'postgres' ? sql`(payload::jsonb ->> ${name})` : sql`json_extract(payload, ${'$.' + name})`);
  await sql`update jobs set subject = coalesce(${field('messageId')}, ${field('mediaId')}), organization_id = ${field('organizationId')}`.execute(db);
  await db.schema.createIndex('jobs_by_subject').on('jobs').columns(['kind', 'subject']).execute();
}
