import { describe, expect, it } from 'vitest';
import { isOpen, isTimeZone, localTime, openingHoursProblem, type BusinessHours } from '../../src/domain/business-hours.js';

const weekdays = (timezone: string, open = '09:00', close = '17:00'): BusinessHours => ({
  timezone,
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open, close })),
});

describe('business hours', () => {
  it('is open from the opening minute up to, not including, the closing minute', () => {
    const hours = weekdays('UTC');
    // Wednesday 2026-01-07.
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 8, 59))).toBe(false);
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 9, 0))).toBe(true);
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 16, 59))).toBe(true);
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 17, 0))).toBe(false);
  });

  it('keeps a day without hours closed all day', () => {
    const hours = weekdays('UTC');
    // Saturday 2026-01-10 and Sunday 2026-01-11 at noon.
    expect(isOpen(hours, Date.UTC(2026, 0, 10, 12))).toBe(false);
    expect(isOpen(hours, Date.UTC(2026, 0, 11, 12))).toBe(false);
    expect(isOpen({ timezone: 'UTC', weekly: [] }, Date.UTC(2026, 0, 7, 12))).toBe(false);
  });

  it('reads the weekday in the zone, not in UTC', () => {
    // Monday 2026-01-05 01:00 UTC is still Sunday 20:00 in New York.
    expect(localTime('America/New_York', Date.UTC(2026, 0, 5, 1))).toEqual({ day: 0, minutes: 20 * 60 });
    expect(isOpen({ timezone: 'America/New_York', weekly: [{ day: 0, open: '18:00', close: '24:00' }] }, Date.UTC(2026, 0, 5, 1))).toBe(true);
    // Friday 2026-01-09 23:30 UTC is already Saturday 08:30 in Tokyo.
    expect(isOpen(weekdays('Asia/Tokyo', '08:00', '18:00'), Date.UTC(2026, 0, 9, 23, 30))).toBe(false);
  });

  it('follows New York across the spring-forward change (8 March 2026)', () => {
    const hours = weekdays('America/New_York');
    // Friday before: EST, UTC-5. 13:30 UTC is 08:30, closed; 14:30 UTC is 09:30, open.
    expect(isOpen(hours, Date.UTC(2026, 2, 6, 13, 30))).toBe(false);
    expect(isOpen(hours, Date.UTC(2026, 2, 6, 14, 30))).toBe(true);
    // Monday after: EDT, UTC-4. 13:30 UTC is 09:30, open; 21:30 UTC is 17:30, closed.
    expect(isOpen(hours, Date.UTC(2026, 2, 9, 13, 30))).toBe(true);
    expect(isOpen(hours, Date.UTC(2026, 2, 9, 20, 30))).toBe(true);
    expect(isOpen(hours, Date.UTC(2026, 2, 9, 21, 30))).toBe(false);
    // The night of the change: 06:59 UTC is 01:59 EST, a minute later the clocks show 03:00 EDT.
    expect(localTime('America/New_York', Date.UTC(2026, 2, 8, 6, 59))).toEqual({ day: 0, minutes: 1 * 60 + 59 });
    expect(localTime('America/New_York', Date.UTC(2026, 2, 8, 7, 0))).toEqual({ day: 0, minutes: 3 * 60 });
  });

  it('follows Berlin across the fall-back change (25 October 2026)', () => {
    const hours = weekdays('Europe/Berlin');
    // Friday before: CEST, UTC+2. 07:30 UTC is 09:30, open; 15:30 UTC is 17:30, closed.
    expect(isOpen(hours, Date.UTC(2026, 9, 23, 7, 30))).toBe(true);
    expect(isOpen(hours, Date.UTC(2026, 9, 23, 15, 30))).toBe(false);
    // Monday after: CET, UTC+1. 07:30 UTC is 08:30, closed; 15:30 UTC is 16:30, open.
    expect(isOpen(hours, Date.UTC(2026, 9, 26, 7, 30))).toBe(false);
    expect(isOpen(hours, Date.UTC(2026, 9, 26, 15, 30))).toBe(true);
    // Sunday of the change: 00:30 and 01:30 UTC both show 02:30 on Berlin's clocks.
    expect(localTime('Europe/Berlin', Date.UTC(2026, 9, 25, 0, 30))).toEqual({ day: 0, minutes: 2 * 60 + 30 });
    expect(localTime('Europe/Berlin', Date.UTC(2026, 9, 25, 1, 30))).toEqual({ day: 0, minutes: 2 * 60 + 30 });
  });

  it('takes several ranges a day, a lunch break between them', () => {
    const hours: BusinessHours = { timezone: 'UTC', weekly: [{ day: 3, open: '09:00', close: '12:00' }, { day: 3, open: '13:00', close: '17:00' }] };
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 11, 59))).toBe(true);
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 12, 30))).toBe(false);
    expect(isOpen(hours, Date.UTC(2026, 0, 7, 13, 0))).toBe(true);
  });

  it('knows IANA zones and refuses other names', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('names what is wrong with a range', () => {
    expect(openingHoursProblem({ day: 1, open: '09:00', close: '24:00' })).toBeNull();
    expect(openingHoursProblem({ day: 7, open: '09:00', close: '17:00' })).toMatch(/day must be 0/);
    expect(openingHoursProblem({ day: 1, open: '9:00', close: '17:00' })).toMatch(/HH:MM/);
    expect(openingHoursProblem({ day: 1, open: '24:00', close: '24:00' })).toMatch(/open/);
    expect(openingHoursProblem({ day: 1, open: '18:00', close: '02:00' })).toMatch(/after open/);
    expect(openingHoursProblem({ day: 1, open: '09:00', close: '09:00' })).toMatch(/after open/);
  });
});
