/**
 * Subjects' data keys: created on a subject's first write (32 random bytes,
 * wrapped by the key provider), unwrapped for reads, destroyed by forget.
 * Key rows are read from the table for every operation, so a subject
 * forgotten by any process is forgotten for all of them at once (only the
 * unwrapping of a row still present is cached).
 * Key rows are written outside the caller's transaction: a key whose data
 * rolled back is harmless.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { EventStoreError } from '../../errors';
import type { SqlRunner } from '../../repositories/sql-runner';
import type { DataKey } from './envelope';
import { PersonalDataKeyError } from './errors';
import { KEY_BYTES, KeyProvider } from './key-provider';
import { KeyRow, keyStatements } from './keys.sql';

/** `subject \0 generation` */
export type KeyRef = string;
export const keyRef = (subjectId: string, generation: number): KeyRef => `${subjectId}\u0000${generation}`;

const CREATE_ATTEMPTS = 5;
const UNWRAPPED_CACHE_SIZE = 10_000;

export class KeyStore {
  /** Unwrapped keys by their wrapped bytes, so that reads of a known subject skip the key provider (a KMS call). */
  private readonly unwrapped = new Map<string, DataKey>();

  constructor(
    private readonly runner: SqlRunner,
    private readonly sql: ReturnType<typeof keyStatements>,
    /** Undefined when the store has no `personalData` option: keys can be destroyed, not used. */
    private readonly provider: KeyProvider | undefined,
  ) {}

  /** A usable key per subject: its newest one, or a new one (the next generation when the newest was forgotten). */
  async keysForWriting(subjects: readonly string[]): Promise<Map<string, DataKey>> {
    const found = new Map<string, DataKey>();
    let pending = [...new Set(subjects)];
    for (let attempt = 0; attempt < CREATE_ATTEMPTS && pending.length > 0; attempt++) {
      const rows = await this.runner.query<KeyRow>(this.sql.latest, [pending]);
      const latest = new Map(rows.map((row) => [row.subject_id, row]));
      const created: DataKey[] = [];
      for (const subjectId of pending) {
        const row = latest.get(subjectId);
        if (row?.wrapped_key) found.set(subjectId, await this.unwrap(row));
        else created.push({ subjectId, generation: (row?.generation ?? 0) + 1, key: randomBytes(KEY_BYTES) });
      }
      if (created.length === 0) return found;
      const wrapped = await Promise.all(created.map(async (k) => Buffer.from(await this.provider!.wrapKey(k.key, k))));
      const inserted = await this.runner.query<{ subject_id: string }>(this.sql.create,
        [created.map((k) => k.subjectId), created.map((k) => k.generation), wrapped]);
      const won = new Set(inserted.map((row) => row.subject_id));
      for (const key of created) if (won.has(key.subjectId)) found.set(key.subjectId, key);
      // Another writer created (or a forget destroyed) that generation first: look again.
      pending = created.filter((key) => !won.has(key.subjectId)).map((key) => key.subjectId);
    }
    if (pending.length > 0) throw new KeyContentionError(pending);
    return found;
  }

  /** Every key of the subjects by reference; null for a destroyed key. */
  async keysForReading(subjects: readonly string[]): Promise<Map<KeyRef, DataKey | null>> {
    const rows = await this.runner.query<KeyRow>(this.sql.allOf, [[...new Set(subjects)]]);
    const keys = new Map<KeyRef, DataKey | null>();
    for (const row of rows) keys.set(keyRef(row.subject_id, row.generation), row.wrapped_key ? await this.unwrap(row) : null);
    return keys;
  }

  /** Destroys the subject's keys (in `trx`); whether anything changed (false: already forgotten). */
  async forget(subjectId: string, trx: Knex.Transaction): Promise<boolean> {
    const destroyed = await this.runner.query(this.sql.forget, [subjectId], trx);
    for (const cached of [...this.unwrapped.keys()]) if (cached.startsWith(`${subjectId}\u0000`)) this.unwrapped.delete(cached);
    if (destroyed.length > 0) return true;
    return (await this.runner.query(this.sql.tombstone, [subjectId], trx)).length > 0;
  }

  /** Unwraps one stored key, if there is any: a wrong master key fails here, when the store starts. */
  async check(): Promise<void> {
    const [row] = await this.runner.query<KeyRow>(this.sql.anyLive, []);
    if (row) await this.unwrap(row);
  }

  private async unwrap(row: KeyRow): Promise<DataKey> {
    // Cached by the wrapped bytes: the row is still read every time, so a destroyed key is never used.
    const cacheKey = `${keyRef(row.subject_id, row.generation)}\u0000${row.wrapped_key!.toString('base64')}`;
    const cached = this.unwrapped.get(cacheKey);
    if (cached) return cached;
    const dataKey = await this.unwrapFresh(row);
    if (this.unwrapped.size >= UNWRAPPED_CACHE_SIZE) this.unwrapped.delete(this.unwrapped.keys().next().value!);
    this.unwrapped.set(cacheKey, dataKey);
    return dataKey;
  }

  private async unwrapFresh(row: KeyRow): Promise<DataKey> {
    const context = { subjectId: row.subject_id, generation: row.generation };
    let key: Buffer;
    try {
      key = Buffer.from(await this.provider!.unwrapKey(row.wrapped_key!, context));
    } catch (error) {
      throw new PersonalDataKeyError(row.subject_id, row.generation, { cause: error });
    }
    if (key.length !== KEY_BYTES) throw new PersonalDataKeyError(row.subject_id, row.generation);
    return { ...context, key };
  }
}

/** Keys of these subjects kept being created and destroyed by others while a write tried to take one. */
export class KeyContentionError extends EventStoreError {
  readonly code = 'personal_data_key_contention';

  constructor(readonly subjectIds: string[]) {
    super(`No data key could be taken for ${subjectIds.map((s) => JSON.stringify(s)).join(', ')}: keys changed concurrently; retry`);
  }
}
