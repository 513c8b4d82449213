/** The service's notion of "now", injectable so tests can move time for `within_days` windows. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
