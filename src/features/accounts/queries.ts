import type { Conn } from '../../db/database.js';
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

export const updateOrganization = (conn: Conn, id: string, changes: { threadingWindowHours?: number; name?: string }) =>
  conn.updateTable('organizations').set(changes).where('id', '=', id).execute();

export const findUserByEmail = (conn: Conn, email: string) => conn.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUser = (conn: Conn, organizationId: string, id: string) =>
  conn.selectFrom('users').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();

export const listUsers = (conn: Conn, organizationId: string) =>
  conn.selectFrom('users').selectAll().where('organizationId', '=', organizationId).orderBy('name').orderBy('id').execute();

export const updateUser = (conn: Conn, organizationId: string, id: string, changes: Partial<Pick<UserRow, 'role' | 'name' | 'active' | 'passwordHash'>>) =>
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

export const countRecentLoginFailures = async (conn: Conn, email: string, since: number) =>
  Number(
    (
      await conn
        .selectFrom('loginFailures')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('email', '=', email)
        .where('at', '>', since)
        .executeTakeFirstOrThrow()
    ).n,
  );

export const insertLoginFailure = (conn: Conn, row: NewRow<'loginFailures'>) => conn.insertInto('loginFailures').values(row).execute();
export const clearLoginFailures = (conn: Conn, email: string) => conn.deleteFrom('loginFailures').where('email', '=', email).execute();
