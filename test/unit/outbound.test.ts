import { describe, expect, it } from 'vitest';
import { failureOf, twilioErrorReason } from '../../src/domain/twilio-errors.js';
import { slotCostMs } from '../../src/features/outbound/rate.js';
import { classifyTwilioError } from '../../src/features/outbound/twilio-call.js';

const rest = (status: number, code: number) => Object.assign(new Error(`error ${code}`), { status, code });
const network = (code: string, message = code) => Object.assign(new Error(message), { code, isAxiosError: true });

describe("what a Twilio error means for a send (docs/rules.md#outbound-messages)", () => {
  it('retries only what certainly never reached Twilio, or what Twilio asked to slow down', () => {
    expect(classifyTwilioError(network('ECONNREFUSED')).kind).toBe('retry');
    expect(classifyTwilioError(network('ENOTFOUND')).kind).toBe('retry');
    expect(classifyTwilioError(rest(429, 20429)).kind).toBe('retry');
    // 21611: the sender's queue at Twilio is full — a 400 that means "later", not "never".
    expect(classifyTwilioError(rest(400, 21611)).kind).toBe('retry');
  });
  it('treats a timeout, a reset connection or a 5xx as unknown: Twilio may have the message', () => {
    expect(classifyTwilioError(network('ECONNABORTED', 'timeout of 15000ms exceeded')).kind).toBe('unknown');
    expect(classifyTwilioError(network('ECONNRESET', 'socket hang up')).kind).toBe('unknown');
    expect(classifyTwilioError(rest(500, 20500)).kind).toBe('unknown');
    expect(classifyTwilioError(rest(503, 20503)).kind).toBe('unknown');
    expect(classifyTwilioError(new Error('something else')).kind).toBe('unknown');
  });
  it('pauses on 20003 and fails at once on any other 4xx', () => {
    expect(classifyTwilioError(rest(401, 20003)).kind).toBe('paused');
    expect(classifyTwilioError(rest(400, 21610))).toEqual({ kind: 'rejected', code: 21610, message: 'error 21610' });
    expect(classifyTwilioError(rest(400, 21211))).toMatchObject({ kind: 'rejected', code: 21211 });
    expect(classifyTwilioError(rest(404, 20404))).toMatchObject({ kind: 'rejected', code: 20404 });
  });
});

describe('plain reasons for error codes', () => {
  it('says what happened in words, and falls back on Twilio’s own message', () => {
    expect(twilioErrorReason(21610)).toMatch(/unsubscribed.*STOP/);
    expect(twilioErrorReason(30006)).toMatch(/landline/);
    const met = [21211, 21408, 21606, 21610, 21611, 21612, 21614, 21617, 21635, 30003, 30004, 30005, 30006, 30007, 30008, 30019, 30032, 30034, 30035, 30036];
    for (const code of met) expect(twilioErrorReason(code), `reason for ${code}`).not.toMatch(/error \d+|error dictionary/);
    // A code Parley has no words for says where Twilio explains it.
    expect(twilioErrorReason(99999, 'Something odd')).toBe(
      "Twilio refused the message (error 99999): Something odd — look the code up in Twilio's error dictionary: https://www.twilio.com/docs/api/errors/99999",
    );
    // A stored reason never keeps the Account SID Twilio's text may quote (docs/rules.md#twilio-account).
    const sid = 'AC' + '0123456789abcdef'.repeat(2);
    expect(twilioErrorReason(20404, `The requested resource /2010-04-01/Accounts/${sid}/Messages.json was not found`)).toBe(
      "Twilio refused the message (error 20404): The requested resource /2010-04-01/Accounts/AC…cdef/Messages.json was not found — look the code up in Twilio's error dictionary: https://www.twilio.com/docs/api/errors/20404",
    );
  });
  it('gives error fields only to failed and undelivered', () => {
    expect(failureOf('sent', 30003, null)).toEqual({});
    expect(failureOf('delivered', null, null)).toEqual({});
    expect(failureOf('undelivered', 30003, null)).toEqual({ errorCode: 30003, errorMessage: twilioErrorReason(30003) });
    expect(failureOf('failed', null, null)).toMatchObject({ errorCode: null, errorMessage: expect.stringMatching(/failed without giving a reason/) });
  });
});

describe('send slots', () => {
  it('cost segments / rate seconds, at least one segment, rounded up to whole milliseconds', () => {
    expect(slotCostMs(1, 1)).toBe(1000);
    expect(slotCostMs(3, 1)).toBe(3000);
    expect(slotCostMs(0, 1)).toBe(1000);
    expect(slotCostMs(1, 100)).toBe(10);
    expect(slotCostMs(2, 3)).toBe(667);
    expect(slotCostMs(1, 5000)).toBe(1);
  });
});
