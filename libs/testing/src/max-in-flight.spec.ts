/** maxInFlight: deliveries in flight at once, including ones answered within the millisecond they arrived. */
import { maxInFlight } from './webhook-receiver';

describe('maxInFlight', () => {
  const d = (startedAt: number, receivedAt: number) => ({ startedAt, receivedAt });

  it('counts a delivery answered within its own millisecond as one in flight', () => {
    expect(maxInFlight([d(10, 10)])).toBe(1);
    expect(maxInFlight([d(10, 10), d(11, 11), d(12, 12)])).toBe(1);
  });

  it('counts overlaps, and not deliveries that only touch', () => {
    expect(maxInFlight([d(0, 10), d(5, 15)])).toBe(2);
    expect(maxInFlight([d(0, 10), d(10, 20)])).toBe(1);
    expect(maxInFlight([d(0, 10), d(5, 5)])).toBe(2);
    expect(maxInFlight([d(0, 10), d(10, 10)])).toBe(1);
    expect(maxInFlight([])).toBe(0);
  });
});
