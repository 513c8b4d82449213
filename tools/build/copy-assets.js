// Copies non-TypeScript runtime assets (Lua scripts) next to the compiled code in dist/.
const { cpSync, readdirSync, statSync, mkdirSync } = require('node:fs');
const { join, dirname, relative } = require('node:path');

const root = join(__dirname, '../..');
const ASSET = /\.(lua)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (ASSET.test(name)) {
      const target = join(root, 'dist', relative(root, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
for (const top of ['apps', 'libs']) walk(join(root, top));
