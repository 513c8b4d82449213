/** The SCAN patterns of a test namespace's Redis keys: only a namespace that cannot match another's is cleaned. */
import { namespaceKeyPatterns } from './namespace-redis-keys';

describe('namespaceKeyPatterns', () => {
  it("covers the services' own keys and BullMQ's", () => {
    expect(namespaceKeyPatterns('t0a1b2c3d')).toEqual(['t0a1b2c3d:*', 'bull.t0a1b2c3d:*']);
    expect(namespaceKeyPatterns('bench_1-a')).toEqual(['bench_1-a:*', 'bull.bench_1-a:*']);
  });

  it("refuses the development platform's namespace and any that could match another's keys", () => {
    for (const namespace of ['sigil', '', 't*', 't?', 't[0-9]', 'a:b', 'a.b', 'a\\b', 'a b']) {
      expect(() => namespaceKeyPatterns(namespace)).toThrow(/refusing/);
    }
  });
});
