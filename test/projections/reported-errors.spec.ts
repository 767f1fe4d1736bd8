import { expect } from 'chai';
import { DomainEvent, EventStore, Handles, Projection, ProjectionRunner, StoreOperationError } from '../../src';
import { disposeStore, withClient } from '../support/stores';
import { appendEvents, caughtUp, projectionStore, waitUntil } from './helpers';

@DomainEvent('ProjSpecReportedNote')
class Noted {
  constructor(readonly text: string) {}
}

@Projection('spec-reported-read')
class SeenNotes {
  readonly seen: string[] = [];

  @Handles(Noted)
  noted(e: Noted): void {
    this.seen.push(e.text);
  }
}

describe('projections: errors reported to onError', () => {
  let store: EventStore;
  let runner: ProjectionRunner | undefined;

  before(async () => {
    store = await projectionStore('proj_reported');
  });
  after(async () => {
    await runner?.stop();
    await disposeStore(store);
  });

  const rename = (from: string, to: string) => withClient((c) => c.query(`alter table "${store.schema}".${from} rename to ${to}`));

  it('a failed read of $all reaches onError as a StoreOperationError naming the projection, with the SQLSTATE', async () => {
    await appendEvents(store, 'notes', [new Noted('a')]);
    const errors: Error[] = [];
    const projection = new SeenNotes();
    runner = store.projections([projection], { retryDelayMs: 5, onError: (error) => errors.push(error) });
    await rename('events', 'events_hidden');
    try {
      await runner.start();
      await waitUntil(() => errors.some((error) => error instanceof StoreOperationError), 'the failed read was reported');
    } finally {
      await rename('events_hidden', 'events');
    }
    const error = errors.find((e) => e instanceof StoreOperationError) as StoreOperationError;
    expect(error).to.include({ code: 'store_operation_failed', sqlState: '42P01', operation: 'projection "spec-reported-read"' });
    expect(errors.every((e) => typeof (e as { code?: unknown }).code === 'string'), 'every reported error has a code').to.equal(true);
    await appendEvents(store, 'notes', [new Noted('b')]);
    await caughtUp(runner, 'spec-reported-read');
    expect(projection.seen).to.deep.equal(['a', 'b']);
  });
});
