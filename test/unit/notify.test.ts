import { describe, expect, it } from 'vitest';
import { shouldNotify, type NotifyCandidate, type NotifyPreference } from '../../src/domain/notify.js';

const ME = 'u-me';
const mine: NotifyCandidate = { direction: 'inbound', assigneeId: ME };
const unassigned: NotifyCandidate = { direction: 'inbound', assigneeId: null };
const others: NotifyCandidate = { direction: 'inbound', assigneeId: 'u-other' };
const outbound: NotifyCandidate = { direction: 'outbound', assigneeId: ME };
const mentioned: NotifyCandidate = { direction: 'note', assigneeId: 'u-other', mentions: [ME] };
const noteForOthers: NotifyCandidate = { direction: 'note', assigneeId: ME, mentions: ['u-other'] };

describe('which messages notify a user', () => {
  const table: [NotifyPreference, boolean[]][] = [
    //                     mine   unassigned others  outbound mentioned noteForOthers
    ['all', /*         */ [true, true, true, false, true, false]],
    ['mine_and_unassigned', [true, true, false, false, true, false]],
    ['mine', /*        */ [true, false, false, false, true, false]],
    ['none', /*        */ [false, false, false, false, false, false]],
  ];
  for (const [preference, expected] of table) {
    it(`for "${preference}"`, () => {
      expect([mine, unassigned, others, outbound, mentioned, noteForOthers].map((m) => shouldNotify(preference, ME, m))).toEqual(expected);
    });
  }
});
