import type { OrganizationRow, UserRow } from './queries.js';

export const presentUser = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, role: u.role, active: u.active === 1 });

export const presentOrganization = (o: OrganizationRow) => ({ id: o.id, name: o.name, threadingWindowHours: o.threadingWindowHours });

export type PresentedUser = ReturnType<typeof presentUser>;
export type PresentedOrganization = ReturnType<typeof presentOrganization>;
