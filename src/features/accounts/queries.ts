import { sql } from 'kysely';
import { isPostgres, type Conn, type Tx } from '../../db/database.js';
import { prepared } from '../../db/prepared.js';
import type { NewRow, Row } from '../../db/schema.js';

export type UserRow = Row<'users'>;
export type OrganizationRow = Row<'organizations'>;

export const countOrganizations = async (conn: Conn) =>
  Number((await conn.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

export const insertOrganization = (conn: Conn, row: NewRow<'organizations'>) => conn.insertInto('organizations').values(row).execute();
export const insertUser = (conn: Conn, row: NewRow<'users'>) => conn.insertInto('users').values(row).execute();

export const findOrganization = async (conn: Conn, id: string) => (await organizationQuery(conn, id)).rows[0];

/** Every inbound message reads its organization's threading window: prepared once. */
const organizationQuery = prepared((conn: Conn, id: string) => conn.selectFrom('organizations').selectAll().where('id', '=', id));

export const updateOrganization = (
  conn: Conn,
  id: string,
  changes: { threadingWindowHours?: number; name?: string; businessHours?: string | null; awayMessage?: string | null },
) =>
  conn.updateTable('organizations').set(changes).where('id', '=', id).execute();

export const findUserByEmail = (conn: Conn, email: string) => conn.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUser = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('users').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const listUsers = (conn: Conn, organizationId: string) =>
  conn.selectFrom('users').selectAll().where('organizationId', '=', organizationId).orderBy('name').orderBy('id').execute();

export const updateUser = (conn: Conn, organizationId: string, id: string, changes: Partial<Pick<UserRow, 'role' | 'name' | 'active' | 'passwordHash' | 'notify' | 'notifySound'>>) =>
  conn.updateTable('users').set(changes).where('organizationId', '=', organizationId).where('id', '=', id).execute();

export const countActiveAdmins = async (conn: Conn, organizationId: string) =>
  Number(
    (
      await conn
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('organizationId', '=', organizationId)
        .where('role', '=', 'admin')
        .where('active', '=', 1)
        .executeTakeFirstOrThrow()
    ).n,
  );

export const insertSession = (conn: Conn, row: NewRow<'sessions'>) => conn.insertInto('sessions').values(row).execute();

/** The session with its user, if the user is still active: deactivation ends sessions at once. */
export const findActiveSession = (conn: Conn, id: string) =>
  conn
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .select(['sessions.id as sessionId', 'sessions.lastUsedAt'])
    .selectAll('users')
    .where('sessions.id', '=', id)
    .where('users.active', '=', 1)
    .executeTakeFirst();

export const touchSession = (conn: Conn, id: string, at: number) => conn.updateTable('sessions').set({ lastUsedAt: at }).where('id', '=', id).execute();
export const deleteSession = (conn: Conn, id: string) => conn.deleteFrom('sessions').where('id', '=', id).execute();

export const deleteUserSessions = (conn: Conn, userId: string, exceptSessionId?: string) =>
  conn
    .deleteFrom('sessions')
    .where('userId', '=', userId)
    .$if(exceptSessionId !== undefined, (q) => q.where('id', '!=', exceptSessionId!))
    .execute();

/** The key's attempts still inside the window. */
export const countLoginAttempts = async (conn: Conn, key: string, since: number) =>
  Number(
    (
      await conn
        .selectFrom('loginAttempts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('key', '=', key)
        .where('at', '>', since)
        .executeTakeFirstOrThrow()
    ).n,
  );

export const insertLoginAttempt = (conn: Conn, row: NewRow<'loginAttempts'>) => conn.insertInto('loginAttempts').values(row).execute();
export const clearLoginAttempts = (conn: Conn, key: string) => conn.deleteFrom('loginAttempts').where('key', '=', key).execute();

/** Rows another process is deleting are left to it: prunes never wait on each other. */
export const pruneLoginAttempts = (conn: Conn, before: number) =>
  conn
    .deleteFrom('loginAttempts')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('loginAttempts')
        .select('id')
        .where('at', '<=', before)
        .$if(isPostgres(conn), (q) => q.forUpdate().skipLocked()),
    )
    .execute();

/** Arbitrary, so the advisory locks of accounts never meet anyone else's. */
const ACCOUNTS_LOCK_SPACE = 5_310_001;

/**
 * PostgreSQL: holds a named lock until the transaction ends, for rules that must see rows not
 * yet there (a first organization, a count of attempts). SQLite transactions run one at a time.
 */
export async function lockUntilCommit(tx: Tx, name: string): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${sql.lit(ACCOUNTS_LOCK_SPACE)}, hashtext(${name}))`.execute(tx);
}

/** PostgreSQL: serializes changes to an organization's admins (SQLite transactions run one at a time). */
export const lockOrganization = (tx: Tx, id: string) =>
  tx.selectFrom('organizations').select('id').where('id', '=', id).$if(isPostgres(tx), (q) => q.forNoKeyUpdate()).execute();
