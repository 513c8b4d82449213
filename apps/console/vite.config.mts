// Builds the console into dist/apps/console, served by the gateway at /console.
// JSX goes through Vite's own esbuild transform (no React plugin: there is no
// dev-server hot reload to support, and the bundle stays lean).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  esbuild: { jsx: 'automatic' },
  // The project's SDK, from source (as the tsconfig paths map it).
  resolve: { alias: { '@sigil/sdk': fileURLToPath(new URL('../../sdks/typescript/src/index.ts', import.meta.url)) } },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The module-preload polyfill would be an inline script; the CSP forbids those and every supported browser has it natively.
    modulePreload: { polyfill: false },
  },
});
