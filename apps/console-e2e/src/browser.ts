/**
 * The console's browser harness: Debian's Chromium (installed by
 * tools/setup/ensure-chromium.sh, never downloaded by npm) driven by
 * playwright-core, axe-core injected for accessibility checks, and screenshots
 * saved into docs/console/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = resolve(__dirname, '../../..');
export const SCREENSHOT_DIR = join(ROOT, 'docs/console');

export function chromiumPath(): string {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(candidate)) return candidate;
  // The same idempotent installer `npm test` runs before this step.
  return execFileSync('bash', [join(ROOT, 'tools/setup/ensure-chromium.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI and this machine run tests as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the page and returns its serious and critical violations.
 * The source is evaluated through the DevTools protocol, which the page's CSP
 * (no inline script) rightly does not allow for a `<script>` tag.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`if (!window.axe) { ${AXE_SOURCE} }`);
  const violations = (await page.evaluate(`window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** What the page stored where a script could read it: must never hold a secret or a token. */
export async function webStorage(page: Page): Promise<string> {
  return (await page.evaluate(`JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })`)) as string;
}
