import { expect } from 'chai';
import type { RecordedEvent } from '../../src';
import { formatStatus } from '../../src/cli/status-format';
import type { StatusReport } from '../../src/cli/status-report';
import { DATA_WIDTH, formatEvent } from '../../src/cli/tail-format';

const event = {
  eventId: '0190f3b2-6b1c-7a3e-9f00-1234567890ab', eventNumber: 42, position: 42, streamId: 'order-7', streamVersion: 3,
  eventType: 'OrderPaid', data: { amount: 12 }, metadata: null, causationId: null, correlationId: null,
  createdAt: new Date('2026-11-29T10:15:54.123Z'),
} as RecordedEvent;

describe('tail output', () => {
  it('prints one short text line per event', () => {
    expect(formatEvent(event, { json: false, full: false })).to.equal('#42 2026-11-29T10:15:54.123Z order-7@3 OrderPaid {"amount":12}');
  });

  it('prints the whole event as one JSON object with --json', () => {
    expect(JSON.parse(formatEvent(event, { json: true, full: false }))).to.deep.equal({ ...event, createdAt: event.createdAt.toISOString() });
  });

  it('shortens long data to the width, on whole code points, unless --full', () => {
    const long = { ...event, data: '😀'.repeat(DATA_WIDTH) };
    const line = formatEvent(long, { json: false, full: false });
    const data = line.slice(line.indexOf('OrderPaid ') + 'OrderPaid '.length);
    expect(Array.from(data)).to.have.length(DATA_WIDTH);
    expect(data.endsWith('…')).to.equal(true);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(data), 'no half surrogate pair').to.equal(false);
    expect(formatEvent(long, { json: false, full: true })).to.include(JSON.stringify(long.data));
  });

  it('keeps an event on one line whatever its stream id and type hold', () => {
    const line = formatEvent({ ...event, streamId: 'a\nb', eventType: 'T\r\u0007' }, { json: false, full: false });
    expect(line).to.not.match(/[\n\r\u0007]/);
    expect(line).to.include('a\\nb@3 T\\r\\u0007');
  });

  it('prints null data as null', () => {
    expect(formatEvent({ ...event, data: undefined }, { json: false, full: false }).endsWith(' null')).to.equal(true);
  });
});

describe('status output', () => {
  const report: StatusReport = {
    schema: 'shop',
    migrations: { applied: ['Migration1'], pending: [] },
    streams: { live: 3, softDeleted: 1 },
    events: 120,
    lastPosition: 121,
    subscriptions: [],
  };

  it('prints one fact per line, and "none" without subscriptions', () => {
    expect(formatStatus(report)).to.deep.equal([
      'schema:         shop',
      'migrations:     1 applied, 0 pending',
      '  applied:      Migration1',
      'streams:        3 live, 1 soft-deleted',
      'events:         120',
      'last position:  121',
      'subscriptions:  none',
    ]);
  });

  it('prints subscriptions as a table (numbers right-aligned), then failures and parked events', () => {
    const lines = formatStatus({
      ...report,
      subscriptions: [
        { streamId: '$all', name: 'projection:balances', checkpoint: 7, lag: 114, owner: null, ownedSince: null, parked: 2,
          failure: { message: 'boom\nstack', code: 'E1', position: 8, failedAt: new Date('2026-01-01T00:00:00Z') } },
        { streamId: 'order-1', name: 'mailer', checkpoint: 1000, lag: 0, owner: 'host:1:a', ownedSince: new Date(0), parked: 0 },
      ],
    } as StatusReport);
    expect(lines.slice(7)).to.deep.equal([
      '',
      'STREAM   NAME                 CHECKPOINT  LAG  OWNER',
      '$all     projection:balances           7  114  -',
      'order-1  mailer                     1000    0  host:1:a',
      '',
      'failed: projection:balances at position 8 (2026-01-01T00:00:00.000Z): boom [E1]',
      '',
      'parked: projection:balances 2 events (replay-parked applies them again)',
    ]);
    expect(lines[6]).to.equal('subscriptions:  2');
  });
});
