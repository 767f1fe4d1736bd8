/**
 * The EntityManager a projection batch runs its handlers with. It flushes at
 * the batch's end only (FlushMode.COMMIT): in MikroORM's default mode a
 * query after a change flushes first, and each flush computes the change
 * sets of every entity the batch loaded, so a handler that loads its row
 * per event paid for the whole batch on every event. A row the batch already
 * loaded or persisted is found by `findOne` by primary key in the identity
 * map, without a query.
 *
 * For that last point, an entity built with `new` and persisted is given the
 * EntityManager's schema: MikroORM files such an entity in its identity map
 * under the platform's default schema while lookups use the EntityManager's,
 * so with the store in a schema of its own the lookup would miss, query the
 * table (where the new row is not yet) and let the handler create it twice.
 */
import { FlushMode, helper, type MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

export function batchEntityManager(orm: MikroORM): EntityManager {
  return orm.em.fork({ disableContextResolution: true, flushMode: FlushMode.COMMIT }) as EntityManager;
}

/** Makes `em.persist` give new entities `em`'s schema (see above). Call on the transaction's EntityManager. */
export function persistInOwnSchema(em: EntityManager): void {
  const schema = em.schema ?? em.config.getSchema();
  if (!schema) return;
  const persist = em.persist.bind(em);
  em.persist = ((entity: object | object[], ...rest: unknown[]) => {
    for (const one of Array.isArray(entity) ? entity : [entity]) {
      const wrapped = helper(one);
      if (wrapped && !wrapped.__managed && wrapped.__schema === undefined) wrapped.__schema = schema;
    }
    return (persist as (...args: unknown[]) => EntityManager)(entity, ...rest);
  }) as EntityManager['persist'];
}
