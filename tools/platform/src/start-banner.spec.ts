/** The start banner names the console URL (issue #21.4: it used to promise a dashboard that did not exist). */
import { startBanner } from './start-banner';

describe('npm start banner', () => {
  const banner = startBanner('http://127.0.0.1:3000', { key: 'sg_live_x', email: 'demo@example.com', password: 'pw-0123456789' });

  it('prints the console URL and says the demo login signs in there', () => {
    expect(banner).toContain('Console:   http://127.0.0.1:3000/console');
    expect(banner).toMatch(/Demo login \(console and JWT sessions\): demo@example\.com \/ pw-0123456789/);
  });

  it('no longer mentions a dashboard', () => {
    expect(banner).not.toMatch(/dashboard/i);
  });
});
