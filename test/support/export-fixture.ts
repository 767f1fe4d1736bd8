import { randomUUID } from 'node:crypto';
import { EventStore, ExpectedVersion } from '../../src';

/** Several streams written by concurrent writers, with metadata, causation/correlation ids and links. */
export async function fillSource(store: EventStore): Promise<void> {
  const correlation = randomUUID();
  await Promise.all([0, 1, 2, 3].map(async (writer) => {
    for (let i = 0; i < 12; i++) {
      const stream = `order-${(writer * 7 + i) % 5}`;
      await store.appendToStream(stream, ExpectedVersion.Any, [1, 2].map((k) => ({
        eventId: randomUUID(), eventType: `Step${k}`, data: { writer, i, k, text: 'tab\there\nnewline \\ "q" é' },
        metadata: k === 1 ? { user: `u${writer}` } : undefined, causationId: randomUUID(), correlationId: correlation,
      })));
    }
  }));
  const firsts = (await store.readAllForward(1, 6)).map((e) => e.eventId);
  await store.linkToStream('links-a', ExpectedVersion.Any, firsts.slice(0, 3));
  await store.appendToStream('links-a', ExpectedVersion.Any, [{ eventType: 'Own', data: { own: true } }]);
  await store.linkToStream('links-a', ExpectedVersion.Any, firsts.slice(3, 6));
}
