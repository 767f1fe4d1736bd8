/**
 * A child process that imports an NDJSON file into an existing schema and
 * reports each committed chunk (`{ type: 'chunk', records, written }`), so
 * that the parent can kill it in the middle of the import.
 *
 * Run: node -r reflect-metadata -r @swc/register test/repositories/import-child.ts
 * with TEST_DATABASE_URL, CHILD_SCHEMA, CHILD_FILE and CHILD_CHUNK.
 */
import { createReadStream } from 'node:fs';
import { EventStore, importEvents, parseNdjson } from '../../src';
import { report, runChild } from '../support/reporting-child';

runChild(async () => {
  const store = await EventStore.connect({ clientUrl: process.env.TEST_DATABASE_URL, schema: process.env.CHILD_SCHEMA });
  report({ type: 'ready' });
  const done = await importEvents(store, parseNdjson(createReadStream(process.env.CHILD_FILE!)), {
    chunkSize: Number(process.env.CHILD_CHUNK),
    onProgress: (progress) => report({ type: 'chunk', ...progress }),
  });
  report({ type: 'done', ...done });
  return () => store.close();
});
