/**
 * MikroORM configuration for the CLI (`npx mikro-orm migration:create`,
 * `migration:check`) and for development. It has no `schema`, so generated
 * migrations come out unqualified and run in whichever schema the store
 * chooses at run time (see src/repositories/schema-migrator.ts).
 *
 * Generate migrations against a database that holds nothing but `public`:
 * the Migrator diffs every schema in the database.
 */
import 'reflect-metadata';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { STORE_ENTITIES } from './src/entities';

export default defineConfig({
  clientUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/eventstore_dev',
  entities: STORE_ENTITIES,
  extensions: [Migrator],
  migrations: {
    path: 'dist/migrations',
    pathTs: 'migrations',
    glob: '!(*.d|index).{js,ts}',
    transactional: true,
    allOrNothing: true,
    snapshot: false,
  },
  // MikroORM does not detect @swc/register; prefer the TypeScript migrations when this file runs as .ts.
  preferTs: __filename.endsWith('.ts'),
});
