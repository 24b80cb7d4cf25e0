import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';

describe('newId', () => {
  it('makes UUIDv7s that sort by time and never repeat, across many refills of its random pool', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => newId(1_700_000_000_000 + Math.floor(i / 100)));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]!.slice(0, 13)).toBe('018bcfe5-6800');
    const times = ids.map((id) => id.slice(0, 13));
    expect([...times].sort()).toEqual(times);
  });

  it('counts up within a millisecond, also when ids for other times come in between', () => {
    const ms = 1_800_000_000_000;
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      ids.push(newId(ms));
      newId(ms + 1 + (i % 3));
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
