/**
 * The `--module` of `rebuild`: the application's module that exports
 * `projections` (an array of @Projection classes or instances) and
 * optionally `entities` (the read-model entity classes). JavaScript is
 * required as it is; TypeScript through @swc/register (the application's,
 * with its .swcrc), unless a TypeScript loader is already active.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliConfigurationError } from './cli-errors';

export interface ProjectionModule {
  projections: unknown[];
  entities: unknown[];
}

export function loadProjectionModule(path: string, cwd = process.cwd()): ProjectionModule {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new CliConfigurationError(`--module ${path}: no such file`);
  if (/\.[cm]?tsx?$/.test(file)) loadTypeScript(path, file, cwd);
  let exported: Record<string, unknown>;
  try {
    exported = require(file) as Record<string, unknown>;
  } catch (error) {
    throw new CliConfigurationError(`--module ${path} could not be loaded: ${firstLine(error)}`);
  }
  const source = (exported.projections === undefined && isObject(exported.default) ? exported.default : exported) as Record<string, unknown>;
  const { projections, entities = [] } = source;
  if (!Array.isArray(projections) || projections.length === 0) {
    throw new CliConfigurationError(`--module ${path} must export \`projections\`: a non-empty array of @Projection classes or instances`);
  }
  if (!Array.isArray(entities)) throw new CliConfigurationError(`--module ${path}: \`entities\` must be an array of entity classes`);
  return { projections, entities };
}

function loadTypeScript(path: string, file: string, cwd: string): void {
  // ts-node or @swc/register is active already (a development checkout, tests).
  if (require.extensions['.ts']) return;
  let register: string;
  try {
    register = require.resolve('@swc/register', { paths: [dirname(file), cwd] });
  } catch {
    throw new CliConfigurationError(`--module ${path} is TypeScript: install @swc/register (with a .swcrc that enables decorators), or compile the module to JavaScript`);
  }
  require(register);
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n')[0] || String(error);
}
