/** How long a per_contact delivery that could not take its contact's claim sleeps before it checks again by itself. */
import { ORDERED_WAIT_MAX_MS, waitFor } from './contact-ordering';

describe('waitFor', () => {
  it("waits until the head's retry is due (and a second more), at most a minute", () => {
    for (let i = 0; i < 20; i++) {
      expect(waitFor(true, 5_000, 0)).toBeGreaterThanOrEqual(6_000);
      expect(waitFor(true, 5_000, 0)).toBeLessThan(6_250);
      expect(waitFor(true, 3_600_000, 0)).toBeGreaterThanOrEqual(ORDERED_WAIT_MAX_MS);
      expect(waitFor(true, 3_600_000, 0)).toBeLessThan(ORDERED_WAIT_MAX_MS + 250);
    }
  });

  it('behind an attempt in flight (the head is due), waits 30 s: its outcome wakes it sooner', () => {
    expect(waitFor(true, 0, 12_000)).toBeGreaterThanOrEqual(30_000);
    expect(waitFor(true, null, 0)).toBeGreaterThanOrEqual(30_000);
  });

  it("kept out by another delivery's claim with nothing earlier pending, waits until the claim lapses", () => {
    expect(waitFor(false, null, 4_000)).toBeGreaterThanOrEqual(4_000);
    expect(waitFor(false, null, 4_000)).toBeLessThan(4_250);
    expect(waitFor(false, null, 0)).toBeGreaterThanOrEqual(50);
    expect(waitFor(false, null, 10 * ORDERED_WAIT_MAX_MS)).toBeLessThan(ORDERED_WAIT_MAX_MS + 250);
  });
});
