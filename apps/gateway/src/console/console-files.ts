/**
 * The console's built files (dist/apps/console), read once at start. Only
 * names Vite produced are served (a fixed map, no path from the request ever
 * reaches the file system).
 */
import { Injectable } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/** dist/apps/console beside the nearest package.json up from here (the checkout, or /app in the image), from source or from dist. */
export function consoleDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist/apps/console');
  }
  return join(process.cwd(), 'dist/apps/console');
}

@Injectable()
export class ConsoleFiles {
  private readonly html: string | undefined;
  private readonly assets = new Map<string, ConsoleAsset>();

  constructor() {
    const dir = consoleDir();
    const indexFile = join(dir, 'index.html');
    this.html = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
    const assetDir = join(dir, 'assets');
    if (!existsSync(assetDir)) return;
    for (const name of readdirSync(assetDir)) {
      const type = TYPES[name.split('.').pop() ?? ''];
      if (type) this.assets.set(name, { body: readFileSync(join(assetDir, name)), contentType: type });
    }
  }

  index(): string | undefined {
    return this.html;
  }

  asset(name: string): ConsoleAsset | undefined {
    return this.assets.get(name);
  }
}
