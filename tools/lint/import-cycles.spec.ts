/**
 * The lint step against import cycles (import-cycles.mjs) can fail: on a
 * small tree it names a cycle between files (type-only imports count; an
 * import in a comment does not) and one between the folders of
 * libs/platform, and passes a tree without either.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const SCRIPT = join(__dirname, 'import-cycles.mjs');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'import-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function lint(root: string): { status: number | null; stderr: string } {
  const { status, stderr } = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  rmSync(root, { recursive: true, force: true });
  return { status, stderr };
}

it('names a cycle between files, type-only imports included', () => {
  const { status, stderr } = lint(
    tree({
      'apps/a/src/orders.service.ts': `import { Repo } from './orders.repository';\nexport class Service {}\n`,
      'apps/a/src/orders.repository.ts': `import type { Service } from './orders.service';\nexport class Repo {}\n`,
    }),
  );
  expect(status).toBe(1);
  expect(stderr).toContain('import cycle: apps/a/src/orders.repository.ts → apps/a/src/orders.service.ts → apps/a/src/orders.repository.ts');
});

it('names a cycle between the folders of libs/platform even when no file imports itself back', () => {
  const { status, stderr } = lint(
    tree({
      'libs/platform/src/health/health.module.ts': `import { client } from '../kafka/client';\nexport const health = client;\n`,
      'libs/platform/src/kafka/client.ts': `export const client = 1;\n`,
      'libs/platform/src/kafka/probe.ts': `import { indicator } from '../health/indicator';\nexport const probe = indicator;\n`,
      'libs/platform/src/health/indicator.ts': `export const indicator = 1;\n`,
      'libs/platform/src/index.ts': `export * from './health/health.module';\nexport * from './kafka/probe';\n`,
    }),
  );
  expect(status).toBe(1);
  expect(stderr).toContain('import cycle: libs/platform/src/health/ → libs/platform/src/kafka/ → libs/platform/src/health/');
  expect(stderr).not.toContain('.ts →');
});

it('passes a tree without cycles (an import in a comment, a package, the index re-exporting every folder)', () => {
  const { status, stderr } = lint(
    tree({
      'apps/a/src/orders.service.ts': `import { Repo } from './orders.repository';\nimport { Injectable } from '@nestjs/common';\nexport class Service {}\n`,
      'apps/a/src/orders.repository.ts': `// import { Service } from './orders.service';\nexport class Repo {}\n`,
      'libs/platform/src/kafka/client.ts': `import { indicator } from '../health/indicator';\nexport const client = indicator;\n`,
      'libs/platform/src/health/indicator.ts': `export const indicator = 1;\n`,
      'libs/platform/src/index.ts': `export * from './kafka/client';\nexport * from './health/indicator';\n`,
    }),
  );
  expect(stderr).toBe('');
  expect(status).toBe(0);
});
