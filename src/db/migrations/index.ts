import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../database.js';
import * as initial from './0001_initial.js';
import * as jobSubject from './0002_job_subject.js';
import * as loginAttempts from './0003_login_attempts.js';
import * as senderPreviousWebhook from './0004_sender_previous_webhook.js';
import * as signatureFailures from './0005_signature_failures.js';
import * as catchup from './0006_catchup.js';
import * as agentTools from './0007_agent_tools.js';
import * as phones from './0008_phones.js';
import * as customerSearch from './0009_customer_search.js';
import * as cannedReplies from './0010_canned_replies.js';
import * as messageSearch from './0011_message_search.js';
import * as messageSearchPending from './0012_message_search_pending.js';
import * as statusUpdatesInPlace from './0013_status_updates_in_place.js';

type Step = { up(db: Kysely<any>, engine: Engine): Promise<void> };

/** Append-only: a new migration gets the next number and is never edited once shipped. */
const steps: Record<string, Step> = {
  '0001_initial': initial,
  '0002_job_subject': jobSubject,
  '0003_login_attempts': loginAttempts,
  '0004_sender_previous_webhook': senderPreviousWebhook,
  '0005_signature_failures': signatureFailures,
  '0006_catchup': catchup,
  '0007_agent_tools': agentTools,
  '0008_phones': phones,
  '0009_customer_search': customerSearch,
  '0010_canned_replies': cannedReplies,
  '0011_message_search': messageSearch,
  '0012_message_search_pending': messageSearchPending,
  '0013_status_updates_in_place': statusUpdatesInPlace,
};

export function migrationsFor(engine: Engine): Record<string, Migration> {
  return Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, { up: (db: Kysely<any>) => step.up(db, engine) }]));
}
