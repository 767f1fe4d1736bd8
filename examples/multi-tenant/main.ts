/**
 * Two tenants in two schemas of one database: the same stream ids, separate
 * versions and `$all` positions, and a subscription per tenant that sees only
 * its own tenant's events.
 *
 *   npm run example:multi-tenant   (embedded PostgreSQL unless DATABASE_URL is set)
 */
import { EventStore, ExpectedVersion, RecordedEvent } from 'mikro-orm-eventstore';
import { removeExampleStore } from '../support/remove-example-store';
import { runExample, until } from '../support/run-example';

const TENANTS = ['tenant_acme', 'tenant_globex'];

runExample('Multi-tenant example', async (clientUrl) => {
  const stores = new Map<string, EventStore>();
  const received = new Map<string, RecordedEvent[]>();
  try {
    for (const schema of TENANTS) {
      const store = await EventStore.connect({ clientUrl, schema });
      stores.set(schema, store);
      received.set(schema, []);
      // A persistent subscription per tenant: each lives in its own schema.
      await store.subscribeToAllStreams('audit-log', async (events, subscription) => {
        received.get(schema)!.push(...events);
        await subscription.ack(events);
      });
    }

    const acme = stores.get('tenant_acme')!;
    const globex = stores.get('tenant_globex')!;
    await acme.appendToStream('customer-1', ExpectedVersion.NoStream, [
      { eventType: 'CustomerRegistered', data: { name: 'Wile E. Coyote' } },
      { eventType: 'OrderPlaced', data: { item: 'rocket skates' } },
    ]);
    await globex.appendToStream('customer-1', ExpectedVersion.NoStream, [
      { eventType: 'CustomerRegistered', data: { name: 'Hank Scorpio' } },
    ]);
    await acme.appendToStream('customer-1', 2, [{ eventType: 'OrderPlaced', data: { item: 'giant magnet' } }]);

    await until(() => received.get('tenant_acme')!.length === 3 && received.get('tenant_globex')!.length === 1);

    for (const schema of TENANTS) {
      const store = stores.get(schema)!;
      const info = await store.streamInfo('customer-1');
      console.log(`${schema}: stream customer-1 at version ${info.streamVersion}`);
      for (const event of received.get(schema)!) {
        console.log(`  ${schema} audit-log received $all #${event.position} ${event.eventType} ${JSON.stringify(event.data)}`);
      }
    }
    const leaked = received.get('tenant_globex')!.some((e) => JSON.stringify(e.data).includes('Coyote'));
    console.log(`\nisolation: ${leaked ? 'BROKEN' : 'no event crossed tenants'}`);
  } finally {
    for (const [schema, store] of stores) {
      await store.close();
      // The example cleans up after itself; a real application keeps its tenants.
      await removeExampleStore(clientUrl, schema);
    }
  }
});
