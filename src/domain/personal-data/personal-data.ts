/**
 * Crypto-shredding: personal fields of events are encrypted with their
 * subject's data key on the way in (`protect`, every append), and replaced by
 * their value, or by null once the subject is forgotten, on the way out
 * (`reveal`, by the domain layer: repositories, projections). Aggregate
 * snapshots that hold a subject's plaintext are sealed under that subject's
 * key as a whole, and deleted when the subject is forgotten.
 */
import type { Knex } from '@mikro-orm/postgresql';
import type { SqlRunner } from '../../repositories/sql-runner';
import type { EventData, ExpectedVersionValue, RecordedEvent, SnapshotData } from '../../types';
import { assertIdText, assertStreamId, invalidValue } from '../../validation';
import { encodeEvents, encodeExpectedVersion, toJson } from '../../encoding';
import { DataKey, Envelope, forEachEnvelope, isEnvelope, open, replaceEnvelopes, seal } from './envelope';
import { PersonalDataKeyError, PersonalDataNotConfiguredError } from './errors';
import type { KeyProvider } from './key-provider';
import { KeyRef, KeyStore, keyRef } from './key-store';
import { SNAPSHOT_SUBJECTS_KEY, keyStatements } from './keys.sql';
import { EventPlan, FieldPlan, planForEvent, planForEventType } from './plan';
import type { SchemaSql } from '../../repositories/sql/naming';

/** Subject -> key generations whose plaintext something (an aggregate) holds; undefined: the subject's newest key. */
export type SubjectKeys = Map<string, Set<number | undefined>>;

export class PersonalDataProtection {
  private readonly keys: KeyStore;
  private readonly sql: ReturnType<typeof keyStatements>;

  constructor(private readonly runner: SqlRunner, schemaSql: SchemaSql, private readonly provider: KeyProvider | undefined) {
    this.sql = keyStatements(schemaSql);
    this.keys = new KeyStore(runner, this.sql, provider);
  }

  /** Fails when the master key does not unwrap the stored keys. */
  async check(): Promise<void> {
    if (this.provider) await this.keys.check();
  }

  /** The events with their personal fields sealed; the same array when none has any. Validates the whole append before creating a key. */
  async protect(streamId: string, expectedVersion: ExpectedVersionValue, events: readonly EventData[]): Promise<readonly EventData[]> {
    if (!Array.isArray(events)) return events;
    let plans: Array<EventPlan | null> | undefined;
    for (let i = 0; i < events.length; i++) {
      const type = (events[i] as Partial<EventData> | null)?.eventType;
      const plan = typeof type === 'string' ? planForEventType(type) : null;
      if (plan) (plans ??= new Array(events.length).fill(null))[i] = plan;
    }
    if (!plans) return events;
    // Bad input is refused before a key is created (the writer would refuse it too, after).
    assertStreamId(streamId);
    encodeExpectedVersion(expectedVersion);
    encodeEvents(events);
    const subjects = plans.map((plan, i) => (plan ? subjectOf(events[i].data, plan, `events[${i}].data`) : undefined));
    const first = plans.findIndex((plan) => plan !== null);
    if (!this.provider) throw new PersonalDataNotConfiguredError(`events[${first}] (${events[first].eventType}) holds personal data`);
    const keys = await this.keys.keysForWriting(subjects.filter((s): s is string => s !== undefined));
    return events.map((event, i) => {
      const plan = plans![i];
      if (!plan) return event;
      return { ...event, data: sealFields(event.data as Record<string, unknown>, plan, keys.get(subjects[i]!)!, `events[${i}].data`) };
    });
  }

  /** The events with sealed values opened (null when their key is destroyed); the same array when none holds any. */
  async reveal(events: readonly RecordedEvent[], seen?: SubjectKeys): Promise<RecordedEvent[]> {
    const subjects = new Set<string>();
    for (const event of events) forEachEnvelope(event.data, (envelope) => subjects.add(envelope.s));
    if (subjects.size === 0) return events as RecordedEvent[];
    const keys = await this.keysForReading(subjects, 'events with personal data');
    return events.map((event) => {
      const data = replaceEnvelopes(event.data, (envelope) => openOrNull(envelope, keys, seen));
      return data === event.data ? event : { ...event, data };
    });
  }

  /**
   * The snapshot with its data sealed under every key whose plaintext it
   * holds, the subjects listed in its metadata; undefined when one of the
   * keys is destroyed by now (no snapshot is taken).
   */
  async sealSnapshot(snapshot: SnapshotData, holds: SubjectKeys): Promise<SnapshotData | undefined> {
    if (holds.size === 0) return snapshot;
    const subjects = [...holds.keys()];
    const keys = await this.keysForReading(subjects, 'an aggregate with personal data');
    let data: unknown = snapshot.data;
    for (const [subjectId, generations] of holds) {
      const newest = newestGeneration(keys, subjectId);
      for (const generation of generations) {
        const key = keys.get(keyRef(subjectId, generation ?? newest ?? 0));
        if (!key) return undefined;
        data = seal(toJson(data, 'snapshot'), key);
      }
    }
    return { ...snapshot, data, metadata: { ...snapshot.metadata, [SNAPSHOT_SUBJECTS_KEY]: subjects } };
  }

  /** A sealed snapshot opened (and the keys it holds noted in `seen`); undefined when a key is destroyed. */
  async openSnapshot(snapshot: SnapshotData, seen: SubjectKeys): Promise<SnapshotData | undefined> {
    const subjects = snapshot.metadata?.[SNAPSHOT_SUBJECTS_KEY];
    if (!Array.isArray(subjects)) return snapshot;
    const keys = await this.keysForReading(subjects as string[], 'a snapshot with personal data');
    let data = snapshot.data;
    while (isEnvelope(data)) {
      const key = keys.get(keyRef(data.s, data.k));
      if (!key) return undefined;
      noteSeen(seen, data.s, data.k);
      data = openWith(data, key);
    }
    return { ...snapshot, data };
  }

  /** Destroys the subject's keys and deletes the snapshots sealed under them, in `trx`; whether anything changed. */
  async forget(subjectId: string, trx: Knex.Transaction): Promise<boolean> {
    assertIdText(subjectId, 'subjectId');
    const changed = await this.keys.forget(subjectId, trx);
    await this.runner.query(this.sql.deleteSnapshots, [subjectId], trx);
    return changed;
  }

  private async keysForReading(subjects: Iterable<string>, what: string): Promise<Map<KeyRef, DataKey | null>> {
    if (!this.provider) throw new PersonalDataNotConfiguredError(`Reading ${what}`);
    return this.keys.keysForReading([...subjects]);
  }
}

/** The subjects of events whose classes have personal data (for the snapshot of an aggregate that raised them). */
export function noteSubjectsOf(events: readonly object[], seen: SubjectKeys): void {
  for (const event of events) {
    const plan = planForEvent(event);
    const subject = plan ? (event as Record<string, unknown>)[plan.subject] : undefined;
    if (typeof subject === 'string') noteSeen(seen, subject, undefined);
  }
}

function noteSeen(seen: SubjectKeys | undefined, subjectId: string, generation: number | undefined): void {
  if (!seen) return;
  let generations = seen.get(subjectId);
  if (!generations) seen.set(subjectId, (generations = new Set()));
  generations.add(generation);
}

function newestGeneration(keys: Map<KeyRef, DataKey | null>, subjectId: string): number | undefined {
  let newest: number | undefined;
  for (const key of keys.values()) if (key && key.subjectId === subjectId && (newest === undefined || key.generation > newest)) newest = key.generation;
  return newest;
}

function openOrNull(envelope: Envelope, keys: Map<KeyRef, DataKey | null>, seen: SubjectKeys | undefined): unknown {
  const key = keys.get(keyRef(envelope.s, envelope.k));
  if (!key) return null;
  noteSeen(seen, envelope.s, envelope.k);
  return openWith(envelope, key);
}

function openWith(envelope: Envelope, key: DataKey): unknown {
  try {
    return open(envelope, key.key);
  } catch (error) {
    throw new PersonalDataKeyError(envelope.s, envelope.k, { cause: error });
  }
}

function subjectOf(data: unknown, plan: EventPlan, at: string): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw invalidValue(at, `an object holding the data subject in ${plan.subject}`, data);
  }
  const subject = (data as Record<string, unknown>)[plan.subject];
  if (typeof subject !== 'string' || subject.length === 0) {
    throw invalidValue(`${at}.${plan.subject}`, "the data subject's id (a non-empty string)", subject);
  }
  assertIdText(subject, `${at}.${plan.subject}`);
  return subject;
}

function sealFields(data: Record<string, unknown>, plan: FieldPlan, key: DataKey, at: string): Record<string, unknown> {
  const copy = { ...data };
  for (const field of plan.fields) {
    const value = copy[field];
    if (value !== undefined && value !== null && Object.hasOwn(copy, field)) copy[field] = seal(toJson(value, `${at}.${field}`), key);
  }
  for (const [property, inner] of plan.nested) {
    const value = copy[property];
    if (Array.isArray(value)) copy[property] = value.map((item, i) => (isObject(item) ? sealFields(item, inner, key, `${at}.${property}[${i}]`) : item));
    else if (isObject(value)) copy[property] = sealFields(value, inner, key, `${at}.${property}`);
  }
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
