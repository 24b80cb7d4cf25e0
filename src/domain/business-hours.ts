/*
 * Business hours in the organization's time zone (docs/rules.md#business-hours-and-away-message).
 * Local time comes from the platform's Intl with the IANA zone, so daylight-saving changes are the
 * zone database's, never rules written here.
 */

export interface OpeningHours {
  /** 0 Sunday … 6 Saturday, in the organization's time zone. */
  day: number;
  /** "HH:MM", 24-hour, local time. */
  open: string;
  /** "HH:MM", after `open`; "24:00" for midnight at the end of the day. */
  close: string;
}

export interface BusinessHours {
  timezone: string;
  weekly: OpeningHours[];
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export const isTimeOfDay = (value: string): boolean => HHMM.test(value);

/** Minutes since local midnight of an "HH:MM". */
export function minutesOf(value: string): number {
  const [h, m] = value.split(':').map(Number);
  return h! * 60 + m!;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

/** Whether Intl knows the zone by this IANA name (e.g. "Europe/Berlin"). */
export function isTimeZone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The weekday and minute of the day that the clocks of `timezone` show at `instant`. */
export function localTime(timezone: string, instant: number): { day: number; minutes: number } {
  const parts = formatterFor(timezone).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAYS.indexOf(part('weekday')), minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** Open when the local time falls in one of the day's ranges, `open` included and `close` excluded. A day without hours is closed. */
export function isOpen(hours: BusinessHours, instant: number): boolean {
  const { day, minutes } = localTime(hours.timezone, instant);
  return hours.weekly.some((h) => h.day === day && minutesOf(h.open) <= minutes && minutes < minutesOf(h.close));
}

/** What is wrong with one day's hours, or null. */
export function openingHoursProblem(h: OpeningHours): string | null {
  if (!Number.isInteger(h.day) || h.day < 0 || h.day > 6) return 'day must be 0 (Sunday) to 6 (Saturday)';
  if (!isTimeOfDay(h.open) || h.open === '24:00') return `open "${h.open}" must be a time of day as HH:MM, 00:00 to 23:59`;
  if (!isTimeOfDay(h.close)) return `close "${h.close}" must be a time of day as HH:MM, 00:01 to 24:00`;
  if (minutesOf(h.close) <= minutesOf(h.open)) return `close ${h.close} must be after open ${h.open}; split hours past midnight over two days`;
  return null;
}
