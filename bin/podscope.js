#!/usr/bin/env node
// The `podscope` command: runs the compiled server (npm run build produces dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('podscope: the server is not built yet — run `npm run build` in the Podscope folder first.');
  process.exit(1);
}
await import(cli.href);
