import { isTimeZone, openingHoursProblem, type BusinessHours } from '../../domain/business-hours.js';
import { countSegments, MAX_BODY_CHARACTERS } from '../../domain/segments.js';
import { isBlankText } from '../../domain/text.js';
import { invalid } from '../../errors.js';

/** A known IANA zone and well-formed ranges, sorted by day and time so every reader sees one order. */
export function checkBusinessHours(hours: BusinessHours): BusinessHours {
  if (!isTimeZone(hours.timezone)) {
    throw invalid('businessHours.timezone', `"${hours.timezone}" is not a time zone; use an IANA name such as Europe/Berlin or America/New_York`);
  }
  for (const [i, h] of hours.weekly.entries()) {
    const problem = openingHoursProblem(h);
    if (problem) throw invalid(`businessHours.weekly.${i}`, problem);
  }
  const weekly = [...hours.weekly].sort((a, b) => a.day - b.day || a.open.localeCompare(b.open));
  return { timezone: hours.timezone, weekly: weekly.map(({ day, open, close }) => ({ day, open, close })) };
}

/** The away message goes out as an SMS: the same length limit as an agent's reply. Blank means none. */
export function checkAwayMessage(message: string | null): string | null {
  if (message === null || isBlankText(message)) return null;
  const { characters } = countSegments(message);
  if (characters > MAX_BODY_CHARACTERS) {
    throw invalid('awayMessage', `is ${characters} characters long; Twilio accepts at most ${MAX_BODY_CHARACTERS}, so shorten it`);
  }
  return message;
}
