import type { BusinessHours } from '../../domain/business-hours.js';
import type { OrganizationRow, UserRow } from './queries.js';

export const presentUser = (u: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'active'>) => ({ id: u.id, email: u.email, name: u.name, role: u.role, active: u.active === 1 });

export const presentOrganization = (o: OrganizationRow) => ({
  id: o.id,
  name: o.name,
  threadingWindowHours: o.threadingWindowHours,
  businessHours: businessHoursOf(o),
  awayMessage: o.awayMessage,
});

/** Stored as JSON text, checked when it was saved. */
export const businessHoursOf = (o: Pick<OrganizationRow, 'businessHours'>): BusinessHours | null => (o.businessHours ? (JSON.parse(o.businessHours) as BusinessHours) : null);

/** A user's own notification preferences (docs/rules.md#notifications). */
export const presentPreferences = (u: Pick<UserRow, 'notify' | 'notifySound'>) => ({ notify: u.notify, sound: u.notifySound === 1 });

export type PresentedPreferences = ReturnType<typeof presentPreferences>;
export type PresentedUser = ReturnType<typeof presentUser>;
export type PresentedOrganization = ReturnType<typeof presentOrganization>;
