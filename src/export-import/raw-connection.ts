/** A node-postgres connection borrowed from the store's pool, for COPY and paged reads. */
import type { Client } from 'pg';
import type { EventStore } from '../store/event-store';

interface KnexClientLike {
  acquireConnection(): Promise<Client>;
  releaseConnection(connection: Client): Promise<unknown>;
}

export class RawConnection {
  private constructor(private readonly pool: KnexClientLike, readonly client: Client) {}

  static async acquire(store: EventStore): Promise<RawConnection> {
    const knex = (store.orm.em.getConnection() as unknown as { getKnex(): { client: KnexClientLike } }).getKnex();
    return new RawConnection(knex.client, await knex.client.acquireConnection());
  }

  async rows<R extends unknown[]>(text: string, values: unknown[]): Promise<R[]> {
    const result = await this.client.query({ text, values, rowMode: 'array' });
    return result.rows as R[];
  }

  async release(): Promise<void> {
    await this.pool.releaseConnection(this.client);
  }
}
