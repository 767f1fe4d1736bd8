#!/usr/bin/env node
'use strict';
/*
 * Starts the command line tool from the build (dist/, `npm run build`) or,
 * in a development checkout, from the TypeScript sources through
 * @swc/register. An installed package (under node_modules) prefers the
 * build; a checkout prefers the sources, so it never runs a stale build.
 */
const { existsSync } = require('node:fs');
const { join, sep } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
const source = join(root, 'src', 'cli', 'main.ts');
const installed = root.split(sep).includes('node_modules');

if (existsSync(built) && (installed || !existsSync(source))) {
  require(built);
} else if (existsSync(source)) {
  require('reflect-metadata');
  // Compiles the package's own files, with its .swcrc, whatever the working directory.
  require('@swc/register')({ cwd: root });
  require(source);
} else {
  process.stderr.write('error: mikro-orm-eventstore is not built: run npm run build\n');
  process.exitCode = 2;
}
