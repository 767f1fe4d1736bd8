/**
 * Batched lookups: the handler a MikroORM user writes first,
 * `await em.findOne(Entity, { id: event.someId })` per event, costs one
 * query per batch and entity instead of one per row.
 *
 * The first time, in a batch, that a handler looks up by primary key a row
 * that is not in the identity map, the value of the key is searched for in
 * the event being handled (its own fields, and the fields of objects it
 * holds): the field that holds it names the key of every event of that type
 * in the batch. The rows of those keys, for the events from this one to
 * the batch's end, are then loaded in one query (`$in`, in chunks), and the
 * lookups of the batch are answered from the identity map. A key that was
 * looked for and not found answers `null` without a query, as the query
 * would have, until the batch writes through anything but the unit of work
 * (`insert`, `nativeUpdate`, `upsert`, `execute`, a query builder...) or
 * clears the EntityManager: then the keys are looked for again.
 *
 * The rows are read at the first lookup instead of at each one, in the same
 * transaction: what the `prepare` pattern does by hand. A lookup with
 * options, by anything but the whole primary key, or whose key is not a
 * field of the event, goes to MikroORM as usual.
 */
import { helper, Utils, type EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

type Path = readonly string[];
type Key = string | number;
type FindOne = EntityManager['findOne'];

/** Keys per query: PostgreSQL takes far more parameters, this keeps each statement small. */
const CHUNK = 1000;

/**
 * EntityManager methods after which the keys looked for are looked for
 * again: writes around the unit of work (a key looked for may exist now),
 * and `clear` (the rows loaded are no longer in the identity map).
 */
const FORGETTING = ['nativeUpdate', 'nativeDelete', 'insert', 'insertMany', 'upsert', 'upsertMany', 'execute', 'createQueryBuilder', 'qb', 'clear'] as const;

interface Rule {
  eventType: string;
  path: Path;
}

/** The lookups installed on an EntityManager (inline projections of one append share its transaction's). */
const installed = new WeakMap<EntityManager, BatchLookups>();

export class BatchLookups {
  /** The event the handler running now was given. */
  private index = 0;
  /** Per entity: the event fields that hold its keys. */
  private readonly rules = new Map<string, Rule[]>();
  /** Per entity: the keys looked for since the batch last wrote around the unit of work. */
  private readonly looked = new Map<string, Set<Key>>();

  private constructor(
    private readonly em: EntityManager,
    private eventTypes: readonly string[],
    private events: readonly object[],
  ) {}

  /**
   * Makes `em.findOne` (and so `findOneOrFail`) of this batch batched; `at(i)`
   * before each handler. On an EntityManager that has them already (the next
   * projection in one transaction), they go on with the new events.
   */
  static install(em: EntityManager, eventTypes: readonly string[], events: readonly object[]): BatchLookups {
    const known = installed.get(em);
    if (known) {
      known.eventTypes = eventTypes;
      known.events = events;
      known.index = 0;
      return known;
    }
    const lookups = new BatchLookups(em, eventTypes, events);
    installed.set(em, lookups);
    const findOne = em.findOne.bind(em) as FindOne;
    em.findOne = ((entityName: never, where: never, options?: never) => lookups.findOne(findOne, entityName, where, options)) as FindOne;
    const methods = em as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const method of FORGETTING) {
      const original = methods[method].bind(em);
      methods[method] = (...args: unknown[]) => {
        lookups.looked.clear();
        return original(...args);
      };
    }
    return lookups;
  }

  at(index: number): void {
    this.index = index;
  }

  private async findOne(findOne: FindOne, entityName: never, where: never, options: never | undefined): Promise<unknown> {
    const meta = this.lookupMeta(entityName, options);
    const key = meta && keyOf(meta, where);
    if (!meta || key === undefined) return findOne(entityName, where, options);
    let entity = this.loaded(meta, key);
    if (entity === undefined && !this.lookedFor(meta, key)) {
      await this.load(meta, key);
      entity = this.loaded(meta, key);
    }
    if (entity) return entity;
    // Looked for in this transaction and not there; or not looked for, or only partly loaded: MikroORM decides.
    return entity === undefined && this.lookedFor(meta, key) ? null : findOne(entityName, where, options);
  }

  /**
   * The row of `key` from the identity map, as MikroORM's findOne returns
   * it without a query: built by this batch, or loaded whole. Null when
   * MikroORM has more to do (a reference or a partial load to refresh,
   * eager relations to populate).
   */
  private loaded(meta: EntityMetadata, key: Key): object | null | undefined {
    const entity = this.em.getUnitOfWork().getById(meta.className, key);
    if (entity === undefined) return undefined;
    if (!helper(entity).__managed) return entity;
    if (meta.relations.some((relation) => relation.eager)) return null;
    const refresh = (this.em as unknown as { shouldRefresh(meta: EntityMetadata, entity: object, options: object): boolean }).shouldRefresh(meta, entity, {});
    return refresh ? null : entity;
  }

  /** The entity's metadata when this lookup may be batched: plain options, one primary key, no inheritance. */
  private lookupMeta(entityName: unknown, options: unknown): EntityMetadata | undefined {
    if (options !== undefined && (typeof options !== 'object' || options === null || Object.values(options).some((v) => v !== undefined))) return undefined;
    const meta = this.em.getMetadata().find(Utils.className(entityName as string));
    if (!meta || meta.primaryKeys.length !== 1 || meta.discriminatorColumn || meta.virtual || meta.embeddable) return undefined;
    return meta;
  }

  private inIdentityMap(meta: EntityMetadata, key: Key): boolean {
    return this.em.getUnitOfWork().getById(meta.className, key) !== undefined;
  }

  private lookedFor(meta: EntityMetadata, key: Key): boolean {
    return this.looked.get(meta.className)?.has(key) ?? false;
  }

  /** Loads the keys the known rules give, then, if `key` is still not looked for, learns its rule from the event. */
  private async load(meta: EntityMetadata, key: Key): Promise<void> {
    const rules = this.rules.get(meta.className) ?? [];
    await this.loadKeys(meta, rules);
    if (this.lookedFor(meta, key)) return;
    const path = pathTo(this.events[this.index], key);
    if (!path) return;
    const rule = { eventType: this.eventTypes[this.index], path };
    this.rules.set(meta.className, [...rules, rule]);
    await this.loadKeys(meta, [rule]);
  }

  /** One query (per chunk) for the keys `rules` give for the events from the current one on. */
  private async loadKeys(meta: EntityMetadata, rules: readonly Rule[]): Promise<void> {
    if (rules.length === 0) return;
    let looked = this.looked.get(meta.className);
    if (!looked) this.looked.set(meta.className, (looked = new Set()));
    const keys: Key[] = [];
    for (let i = this.index; i < this.events.length; i++) {
      for (const rule of rules) {
        if (rule.eventType !== this.eventTypes[i]) continue;
        const key = valueAt(this.events[i], rule.path);
        if (key === undefined || looked.has(key) || this.inIdentityMap(meta, key)) continue;
        looked.add(key);
        keys.push(key);
      }
    }
    const pk = meta.primaryKeys[0];
    for (let from = 0; from < keys.length; from += CHUNK) {
      await this.em.find(meta.className, { [pk]: { $in: keys.slice(from, from + CHUNK) } } as never);
    }
  }
}

/** The primary key a lookup asks for: the bare key, or `{ pk: key }`. */
function keyOf(meta: EntityMetadata, where: unknown): Key | undefined {
  if (isKey(where)) return where;
  if (!Utils.isPlainObject(where)) return undefined;
  const fields = Object.keys(where);
  if (fields.length !== 1 || fields[0] !== meta.primaryKeys[0]) return undefined;
  const value = (where as Record<string, unknown>)[fields[0]];
  return isKey(value) ? value : undefined;
}

function isKey(value: unknown): value is Key {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Where in `event` (its fields, or its objects' fields) `key` is, if anywhere. */
function pathTo(event: object | undefined, key: Key): Path | undefined {
  if (!event) return undefined;
  const fields = Object.entries(event);
  for (const [field, value] of fields) if (value === key) return [field];
  for (const [field, value] of fields) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    for (const [inner, innerValue] of Object.entries(value)) if (innerValue === key) return [field, inner];
  }
  return undefined;
}

function valueAt(event: object, path: Path): Key | undefined {
  let value: unknown = event;
  for (const field of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[field];
  }
  return isKey(value) ? value : undefined;
}
