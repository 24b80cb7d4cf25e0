import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.js';
import { optOutChange } from '../../src/domain/opt-out.js';
import { customerSearchText, ftsPhrases, isFragment, likePattern, prefixRange, searchTerms } from '../../src/domain/search.js';
import { chooseConversation } from '../../src/domain/threading.js';
import { sseFrame } from '../../src/features/events/routes.js';
import { requireMessageFields } from '../../src/features/inbound/service.js';
import { isTwilioMediaUrl } from '../../src/features/media/twilio-download.js';
import { markerCustomer } from '../helpers/inbound.js';

const HOUR = 3_600_000;

describe('threading rule', () => {
  const t0 = Date.UTC(2030, 0, 1);
  const latest = { id: 'c1', lastMessageAt: t0, status: 'open' as const };

  it('joins just under the window and starts anew at it', () => {
    expect(chooseConversation(latest, t0 + 24 * HOUR - 1, 24)).toEqual({ join: 'c1', reopen: false });
    expect(chooseConversation(latest, t0 + 24 * HOUR, 24)).toEqual({ start: true });
    expect(chooseConversation(latest, t0 + 30 * HOUR, 24)).toEqual({ start: true });
  });

  it('reopens a closed conversation it joins', () => {
    expect(chooseConversation({ ...latest, status: 'closed' }, t0 + HOUR, 24)).toEqual({ join: 'c1', reopen: true });
  });

  it('starts a conversation when there is none, and honours fractional windows', () => {
    expect(chooseConversation(undefined, t0, 24)).toEqual({ start: true });
    expect(chooseConversation(latest, t0 + 0.5 * HOUR - 1, 0.5)).toEqual({ join: 'c1', reopen: false });
    expect(chooseConversation(latest, t0 + 0.5 * HOUR, 0.5)).toEqual({ start: true });
  });
});

describe('opt-out keywords', () => {
  it('opts out on the STOP family, whole body, any case, spaces trimmed', () => {
    for (const word of ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', ' stop ', 'Stop\n', 'optout']) {
      expect(optOutChange(word), word).toBe('opt_out');
    }
  });
  it('opts back in on START, YES, UNSTOP', () => {
    for (const word of ['START', 'yes', ' Unstop ']) expect(optOutChange(word), word).toBe('opt_in');
  });
  it('leaves HELP, INFO and sentences alone', () => {
    for (const body of ['HELP', 'INFO', 'stop please', 'STOP!', 'S T O P', '', 'yes please']) expect(optOutChange(body), body).toBeNull();
  });
  it("takes Twilio's OptOutType as given", () => {
    expect(optOutChange('whatever', 'STOP')).toBe('opt_out');
    expect(optOutChange('whatever', 'start')).toBe('opt_in');
    expect(optOutChange('whatever', 'HELP')).toBeNull();
    expect(optOutChange('STOP', 'HELP')).toBe('opt_out');
  });
});

describe('cursors', () => {
  it('round-trips and refuses anything it did not make', () => {
    const key = { at: 1_900_000_000_000, id: '01a2-b3' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    for (const bad of ['', 'xyz', Buffer.from('[1]').toString('base64url'), Buffer.from('["1","a"]').toString('base64url'), Buffer.from('[1.5,"a"]').toString('base64url'), Buffer.from('[1,""]').toString('base64url')]) {
      expect(decodeCursor(bad), bad).toBeNull();
    }
  });
});

describe('search terms', () => {
  it('escapes LIKE wildcards and matches phone digits only with enough of them', () => {
    expect(likePattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
    expect(searchTerms(' Grace ')).toEqual({ text: 'grace', digits: null });
    expect(searchTerms('(415) 555')).toEqual({ text: '(415) 555', digits: '415555' });
    expect(searchTerms('a1b2')).toEqual({ text: 'a1b2', digits: null });
  });

  it('folds case and accents, fullwidth digits included, the same for a query and what it finds', () => {
    expect(searchTerms('JOSÉ')).toEqual({ text: 'jose', digits: null });
    expect(searchTerms('４１５５')).toEqual({ text: '4155', digits: '4155' });
    expect(customerSearchText({ name: 'Zoë Ångström', email: 'Zoe@Example.com', phone: '+14155550123' })).toBe('zoe angstrom\nzoe@example.com\n14155550123');
  });

  it('tells a trigram fragment from a short prefix, and bounds a prefix as an index range', () => {
    expect(isFragment(searchTerms('jo'))).toBe(false);
    expect(isFragment(searchTerms('zoë'))).toBe(true);
    expect(prefixRange('jo')).toEqual({ from: 'jo', to: 'jp' });
    expect(ftsPhrases(['say "hi"', '415'])).toBe('"say ""hi""" OR "415"');
  });
});

describe('inbound webhook fields', () => {
  const base = { MessageSid: 'SM1', From: '+14155550199', To: '+14155550100' };
  it('requires MessageSid, From and To', () => {
    for (const missing of ['MessageSid', 'From', 'To'] as const) {
      const params: Record<string, string> = { ...base };
      delete params[missing];
      expect(() => requireMessageFields(params), missing).toThrow(new RegExp(missing));
    }
  });
  it('reads up to 10 media items, the body and the opt-out type', () => {
    const media = Object.fromEntries(Array.from({ length: 12 }, (_, n) => [[`MediaUrl${n}`, `https://api.twilio.com/m/${n}`], [`MediaContentType${n}`, 'image/png']]).flat());
    const m = requireMessageFields({ ...base, ...media, NumMedia: '12', Body: 'hi', OptOutType: 'STOP', MessagingServiceSid: 'MG1' });
    expect(m.media).toHaveLength(10);
    expect(m.media[9]).toEqual({ url: 'https://api.twilio.com/m/9', contentType: 'image/png' });
    expect(m).toMatchObject({ body: 'hi', optOutType: 'STOP', messagingServiceSid: 'MG1', from: '+14155550199' });
    expect(requireMessageFields({ ...base, From: '(415) 555-0199', NumMedia: 'x' })).toMatchObject({ from: '+14155550199', media: [], body: '' });
  });
});

describe('media URLs the Twilio credentials may go to', () => {
  const AC = 'AC' + 'a1'.repeat(16);
  const MM = 'MM' + 'b2'.repeat(16);
  const ME = 'ME' + 'c3'.repeat(16);
  const path = `/2010-04-01/Accounts/${AC}/Messages/${MM}/Media/${ME}`;

  it("accepts only a message's media file on Twilio's API host or the configured one", () => {
    const configured = 'http://127.0.0.1:4010';
    expect(isTwilioMediaUrl(`https://api.twilio.com${path}`, configured)).toBe(true);
    expect(isTwilioMediaUrl(`http://127.0.0.1:4010${path}`, configured)).toBe(true);
    expect(isTwilioMediaUrl(`https://api.twilio.com${path.replace('/MM', '/SM')}`, configured)).toBe(true);
    for (const url of [
      `http://api.twilio.com${path}`,
      `https://api.twilio.com.evil.test${path}`,
      `https://evil.test/https://api.twilio.com${path}`,
      `https://user:pw@api.twilio.com${path}`,
      `http://127.0.0.1:4011${path}`,
      'not a url',
      // Twilio's origin, but not a media file: the credentials could read or change anything there.
      'https://api.twilio.com/2010-04-01/Accounts.json',
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/Messages.json`,
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/Messages/${MM}/Media/${ME}.json`,
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/Messages/${MM}/Media`,
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers/PN${'d4'.repeat(16)}`,
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/Messages/${MM}/Media/${ME}/../../../../Keys`,
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/Messages/${MM}/Media/${ME}?PageSize=1000`,
      `https://api.twilio.com/v1/Accounts/${AC}/Messages/${MM}/Media/${ME}`,
      `https://api.twilio.com${path}x`,
    ]) {
      expect(isTwilioMediaUrl(url, configured), url).toBe(false);
    }
  });
});

describe('SSE frames', () => {
  it('are bare data lines, one JSON object, blank-line terminated', () => {
    const customer = markerCustomer('cu1');
    const frame = sseFrame({ type: 'customer.updated', organizationId: 'o1', data: { ...customer, notes: 'a\nb' } });
    expect(frame).toMatch(/^data: \{"type":"customer.updated","data":\{"id":"cu1",[^\n]*"notes":"a\\nb"[^\n]*\}\}\n\n$/);
    expect(frame).not.toContain('o1');
  });
});
