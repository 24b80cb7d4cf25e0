import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.js';
import type { AvailableNumber } from '../model.js';
import { requestAccount } from './auth.js';
import { asForm, boolParam, param, type Form } from './form.js';
import { page2010 } from './paging.js';
import { presentAvailableNumber } from './presenters.js';

/** AvailablePhoneNumbers/{Country}/Local.json: numbers to buy, searched as Twilio searches. */
export function registerAvailableNumbers(api: FastifyInstance, ctx: SimContext): void {
  api.get<{ Params: { accountSid: string; country: string } }>(
    '/Accounts/:accountSid/AvailablePhoneNumbers/:country/Local.json',
    async (request) => {
      requestAccount(request, request.params.accountSid);
      const query = asForm(request.query);
      const country = request.params.country.toUpperCase();
      const found = ctx.store.availableNumbers.filter((n) => n.country === country && matches(n, query));
      const filters: Record<string, string> = {};
      for (const name of ['AreaCode', 'Contains', 'SmsEnabled', 'MmsEnabled', 'VoiceEnabled']) {
        const value = param(query, name);
        if (value !== undefined) filters[name] = value;
      }
      return page2010(request, found, {
        key: 'available_phone_numbers', sidOf: (n) => n.phoneNumber, present: presentAvailableNumber, filters,
      });
    },
  );
}

function matches(n: AvailableNumber, query: Form): boolean {
  const areaCode = param(query, 'AreaCode');
  if (areaCode && !(n.phoneNumber.startsWith('+1') && n.phoneNumber.slice(2, 5) === areaCode)) return false;
  const contains = param(query, 'Contains');
  if (contains && !containsPattern(contains).test(n.phoneNumber)) return false;
  for (const [name, capable] of [
    ['SmsEnabled', n.capabilities.sms],
    ['MmsEnabled', n.capabilities.mms],
    ['VoiceEnabled', n.capabilities.voice],
  ] as const) {
    const wanted = boolParam(query, name);
    if (wanted !== undefined && wanted !== capable) return false;
  }
  return true;
}

/** Contains: digits with `*` for any one digit; letters map to the phone keypad, as on Twilio. */
function containsPattern(contains: string): RegExp {
  const keypad: Record<string, string> = { abc: '2', def: '3', ghi: '4', jkl: '5', mno: '6', pqrs: '7', tuv: '8', wxyz: '9' };
  const digits = [...contains.toLowerCase()]
    .map((ch) => {
      if (ch === '*') return '\\d';
      if (/\d/.test(ch)) return ch;
      const key = Object.keys(keypad).find((letters) => letters.includes(ch));
      return key ? keypad[key] : '';
    })
    .join('');
  return new RegExp(digits.replace(/^\+/, ''));
}
