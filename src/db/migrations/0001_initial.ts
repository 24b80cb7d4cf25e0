import { sql, type Kysely } from 'kysely';

/* Frozen in time: never edit a migration that has shipped; add a new one. */

export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const bigint = 'bigint';
  const real = engine === 'postgres' ? 'double precision' : 'real';
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';

  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('threading_window_hours', real, (c) => c.notNull().defaultTo(24))
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'agent')`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_by_org').on('users').columns(['organization_id', 'name']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('last_used_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_by_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_by_email').on('login_failures').columns(['email', 'at']).execute();

  await db.schema
    .createTable('twilio_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().unique().references('organizations.id'))
    .addColumn('account_sid', 'text', (c) => c.notNull().unique())
    .addColumn('auth_token_sealed', 'text', (c) => c.notNull())
    .addColumn('connected_at', bigint, (c) => c.notNull())
    .addColumn('connected_by', 'text')
    .addColumn('paused_at', bigint)
    .execute();

  await db.schema
    .createTable('senders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('twilio_account_id', 'text', (c) => c.references('twilio_accounts.id').onDelete('set null'))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('phone_number', 'short_code', 'messaging_service')`))
    .addColumn('phone_number', 'text')
    .addColumn('short_code', 'text')
    .addColumn('messaging_service_sid', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('twilio_sid', 'text')
    .addColumn('sms_capable', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('mms_capable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_per_second', real, (c) => c.notNull())
    .addColumn('next_send_at', bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('removed_at', bigint)
    .execute();
  // One active sender per number, short code or service across the deployment.
  await db.schema.createIndex('senders_one_active_address').on('senders').column('address').unique().where(sql.ref('active'), '=', 1).execute();
  await db.schema.createIndex('senders_by_org').on('senders').columns(['organization_id', 'active']).execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text')
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('updated_at', bigint, (c) => c.notNull())
    .addUniqueConstraint('customers_one_per_phone', ['organization_id', 'phone'])
    .execute();

  await db.schema
    .createTable('opt_outs')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('sender_id', 'text', (c) => c.notNull().references('senders.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('opt_outs_pk', ['customer_id', 'sender_id'])
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('sender_id', 'text', (c) => c.notNull().references('senders.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
    .addColumn('last_message_at', bigint, (c) => c.notNull())
    .addColumn('last_inbound_at', bigint)
    .addColumn('preview', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_inbox').on('conversations').columns(['organization_id', 'status', 'last_message_at', 'id']).execute();
  await db.schema.createIndex('conversations_inbox_all').on('conversations').columns(['organization_id', 'last_message_at', 'id']).execute();
  await db.schema.createIndex('conversations_threading').on('conversations').columns(['customer_id', 'sender_id', 'last_message_at']).execute();

  await db.schema
    .createTable('conversation_reads')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('read_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_reads_pk', ['conversation_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('inbound', 'outbound')`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'integer')
    .addColumn('error_message', 'text')
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('twilio_sid', 'text', (c) => c.unique())
    .addColumn('author_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('updated_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_thread').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('send_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('twilio_sid', 'text', (c) => c.unique())
    .addColumn('started_at', bigint, (c) => c.notNull())
    .addColumn('finished_at', bigint)
    .execute();
  await db.schema.createIndex('send_attempts_by_message').on('send_attempts').column('message_id').execute();

  await db.schema
    .createTable('media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('message_id', 'text', (c) => c.references('messages.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text')
    .addColumn('error_message', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('uploaded_by', 'text')
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_by_message').on('media').columns(['message_id', 'position']).execute();

  await db.schema
    .createTable('media_blobs')
    .addColumn('media_id', 'text', (c) => c.primaryKey().references('media.id'))
    .addColumn('bytes', bytes, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('run_at', bigint, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', bigint)
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('actor_id', 'text', (c) => c.references('users.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_by_org').on('audit_log').columns(['organization_id', 'created_at']).execute();
}
