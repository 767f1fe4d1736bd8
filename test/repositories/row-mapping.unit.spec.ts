import { expect } from 'chai';
import { hasEvent, toRecordedEvent } from '../../src/repositories/row-mapping';

const createdAt = new Date('2026-11-29T10:15:54.123Z');
/** A read row: two leading columns of the statement's own, then the event's columns in their documented order. */
const row = ['own-1', 'own-2', 12, 'order-7', '0190f3b2-6b1c-7a3e-9f00-1234567890ab', 3, 'OrderPaid', { amount: 12 }, { by: 'me' }, null, 'c0ffee00-0000-4000-8000-000000000000', createdAt];

describe('decoding read rows', () => {
  it('builds a RecordedEvent from the columns after the statement\'s own, with the number of the stream being read', () => {
    expect(toRecordedEvent(row, 2, 5)).to.deep.equal({
      eventId: '0190f3b2-6b1c-7a3e-9f00-1234567890ab',
      eventNumber: 5,
      position: 12,
      streamId: 'order-7',
      streamVersion: 3,
      eventType: 'OrderPaid',
      data: { amount: 12 },
      metadata: { by: 'me' },
      causationId: null,
      correlationId: 'c0ffee00-0000-4000-8000-000000000000',
      createdAt,
    });
  });

  it('keeps the original stream and version whatever the number in the stream read', () => {
    const linked = toRecordedEvent(row, 2, 99);
    expect([linked.eventNumber, linked.streamId, linked.streamVersion]).to.deep.equal([99, 'order-7', 3]);
  });

  it('tells a row with an event from the empty row a left join gives past the end', () => {
    expect(hasEvent(row, 2)).to.equal(true);
    const empty = ['own-1', 'own-2', null, null, null, null, null, null, null, null, null, null];
    expect(hasEvent(empty, 2)).to.equal(false);
  });
});
