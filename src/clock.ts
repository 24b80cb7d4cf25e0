/** Time comes from here, so tests can stand at a window's exact boundary. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
