/** The SQL a migration produces, read without a database (its `up()` and `down()` only collect statements). */
import { createHash } from 'node:crypto';
import type { Migration } from '@mikro-orm/migrations';

type MigrationClass = new (driver: never, config: never) => Migration;

export async function migrationSql(migrationClass: MigrationClass): Promise<string> {
  const parts: string[] = [];
  for (const step of ['up', 'down'] as const) {
    const migration = new migrationClass({ getPlatform: () => ({}) } as never, { get: () => undefined } as never);
    try {
      await migration[step]();
    } catch {
      continue; // a migration that cannot be reverted
    }
    parts.push(`-- ${step}`, ...migration.getQueries().map(String));
  }
  return parts.join('\n;\n');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
