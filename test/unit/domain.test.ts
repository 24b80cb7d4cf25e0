import { describe, expect, it } from 'vitest';
import { sniffContentType } from '../../src/domain/media-type.js';
import { canMoveTo, fromTwilioStatus, isRetryable, type MessageStatus } from '../../src/domain/message-status.js';
import { mentionedUserIds } from '../../src/domain/mentions.js';
import { previewOf } from '../../src/domain/preview.js';
import { isAccountSid, isMessagingServiceSid, isShortCode, toE164 } from '../../src/domain/phone.js';
import { hasForbiddenControl, isBlankText, stripControls } from '../../src/domain/text.js';

describe('phone numbers', () => {
  it('normalizes to E.164 and refuses what is not a phone number', () => {
    expect(toE164('(415) 555-0100')).toBe('+14155550100');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
    expect(toE164(' +1 415 555 0100 ')).toBe('+14155550100');
    expect(toE164('12345')).toBeNull();
    expect(toE164('hello')).toBeNull();
    expect(toE164('')).toBeNull();
  });
  it('recognizes short codes and SIDs by their shapes', () => {
    expect(isShortCode('12345')).toBe(true);
    expect(isShortCode('123456')).toBe(true);
    expect(isShortCode('1234')).toBe(false);
    expect(isAccountSid('AC' + 'a'.repeat(32))).toBe(true);
    expect(isAccountSid('AC' + 'A'.repeat(32))).toBe(false);
    expect(isMessagingServiceSid('MG' + '0'.repeat(32))).toBe(true);
    expect(isMessagingServiceSid('MG' + '0'.repeat(31))).toBe(false);
  });
});

describe('message status order', () => {
  it('moves only forward and lets the first final status win', () => {
    expect(canMoveTo('pending', 'queued')).toBe(true);
    expect(canMoveTo('queued', 'sent')).toBe(true);
    expect(canMoveTo('sent', 'delivered')).toBe(true);
    expect(canMoveTo('sent', 'queued')).toBe(false);
    expect(canMoveTo('delivered', 'sent')).toBe(false);
    expect(canMoveTo('delivered', 'failed')).toBe(false);
    expect(canMoveTo('undelivered', 'delivered')).toBe(false);
    expect(canMoveTo('queued', 'queued')).toBe(false);
  });
  it('keeps an inbound message received', () => {
    expect(canMoveTo('received', 'pending')).toBe(false);
    expect(canMoveTo('received', 'delivered')).toBe(false);
    expect(canMoveTo('pending', 'received')).toBe(false);
  });
  it('lets only a failed or undelivered message be sent again', () => {
    expect(['failed', 'undelivered', 'delivered', 'sent', 'pending', 'received'].filter((s) => isRetryable(s as MessageStatus))).toEqual([
      'failed',
      'undelivered',
    ]);
  });
  it("maps Twilio's statuses, counting accepted and scheduled as queued", () => {
    expect(fromTwilioStatus('accepted')).toBe('queued');
    expect(fromTwilioStatus('scheduled')).toBe('queued');
    expect(fromTwilioStatus('delivered')).toBe('delivered');
    expect(fromTwilioStatus('canceled')).toBe('failed');
    expect(fromTwilioStatus('receiving')).toBeNull();
  });
});

describe('media type from bytes', () => {
  const bytes = (...b: number[]) => Uint8Array.from([...b, ...new Array(16).fill(0)]);
  it('trusts the bytes, not the name or declared type', () => {
    expect(sniffContentType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffContentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image/png');
    expect(sniffContentType(Buffer.from('GIF89a......'))).toBe('image/gif');
    expect(sniffContentType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffContentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffContentType(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
  });
});

describe('text', () => {
  it('counts a text that shows nothing as blank: white space, zero-width and other invisible characters', () => {
    for (const blank of ['', ' \t\n\r', '\u200b', '\u200c\u200d\u2060\ufeff', '\u00a0\u3000\u2028', '\u00ad\u200e', '\u3164\u2800', '\ufe0f']) {
      expect(isBlankText(blank), JSON.stringify(blank)).toBe(true);
    }
    for (const shown of ['a', ' . ', '\u200bx', '👍', '\u2764\ufe0f', '0']) expect(isBlankText(shown), shown).toBe(false);
  });

  it('refuses C0 controls and DEL but tab, LF and CR; strips the same set', () => {
    for (const bad of ['a\u0000b', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b[31m', '\u007f']) expect(hasForbiddenControl(bad), JSON.stringify(bad)).toBe(true);
    for (const ok of ['tab\there', 'line\nfeed\r\n', 'plain', '\u0080é']) expect(hasForbiddenControl(ok), JSON.stringify(ok)).toBe(false);
    expect(stripControls('a\u0000b\u001b[0m\tc\n\u007f')).toBe('ab[0m\tc\n');
  });
});

describe('inbox preview', () => {
  it('shows the body on one line, cut at 140 characters, or what was attached', () => {
    expect(previewOf('  Hello\n\nthere  ', 0)).toBe('Hello there');
    expect(previewOf('x'.repeat(200), 0)).toBe('x'.repeat(140));
    expect(previewOf(' ', 1)).toBe('[picture]');
    expect(previewOf('', 3)).toBe('[3 pictures]');
    expect(previewOf('', 0)).toBe('');
  });
});

describe('mentions in notes', () => {
  const users = [
    { id: 'ada', name: 'Ada' },
    { id: 'ada-admin', name: 'Ada Admin' },
    { id: 'zoe', name: 'Zoë Ünal' },
  ];
  it('takes the longest name after each @, any case, ending at a word boundary', () => {
    expect(mentionedUserIds('@Ada Admin look', users)).toEqual(['ada-admin']);
    expect(mentionedUserIds('@ada, and @ADA ADMIN.', users)).toEqual(['ada', 'ada-admin']);
    expect(mentionedUserIds('@zoë ünal!', users)).toEqual(['zoe']);
    expect(mentionedUserIds('@Adam and ada@acme.test and @ Ada', users)).toEqual([]);
    expect(mentionedUserIds('@Ada @Ada', users)).toEqual(['ada']);
  });
});
