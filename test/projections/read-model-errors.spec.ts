import { expect } from 'chai';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import {
  DomainEvent,
  EventSerializer,
  EventStore,
  ExpectedVersion,
  Handles,
  Projection,
  ProjectionContext,
  ProjectionFailedError,
  ProjectionRunner,
  ReadModelNotRegisteredError,
} from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { appendEvents, waitForProjectionState } from './helpers';

@DomainEvent('ProjSpecUnregisteredNoted')
class Noted {
  constructor(readonly id: string) {}
}

/** Never registered with any store in this file. */
@Entity({ tableName: 'proj_unregistered_notes' })
class UnregisteredNote {
  @PrimaryKey({ type: 'text' }) id: string;
  @Property({ type: 'text' }) text = '';

  constructor(id: string) {
    this.id = id;
  }
}

@Projection('spec-unregistered-persist', { maxAttempts: 1 })
class PersistsUnregistered {
  @Handles(Noted)
  noted(e: Noted, { em }: ProjectionContext): void {
    em.persist(new UnregisteredNote(e.id));
  }
}

@Projection('spec-unregistered-find', { maxAttempts: 1 })
class FindsUnregistered {
  @Handles(Noted)
  async noted(e: Noted, { em }: ProjectionContext): Promise<void> {
    await em.findOne(UnregisteredNote, { id: e.id });
  }
}

@Projection('spec-unregistered-inline', { inline: true })
class InlineUnregistered {
  @Handles(Noted)
  noted(e: Noted, { em }: ProjectionContext): void {
    em.persist(new UnregisteredNote(e.id));
  }
}

describe('projections: read-model entities that are not registered', () => {
  let store: EventStore;
  let runner: ProjectionRunner | undefined;

  before(async () => {
    store = await connectStore('proj_unreg'); // no entities
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });
  after(() => disposeStore(store));

  for (const [projection, name, entityName] of [
    [PersistsUnregistered, 'spec-unregistered-persist', undefined],
    [FindsUnregistered, 'spec-unregistered-find', 'UnregisteredNote'],
  ] as const) {
    it(`${name}: fails with ReadModelNotRegisteredError, which says how to register the entity`, async () => {
      await appendEvents(store, `notes-${name}`, [new Noted('n1')]);
      const errors: Error[] = [];
      runner = store.projections([projection], { retryDelayMs: 5, onError: (error) => errors.push(error) });
      await runner.start();
      await waitForProjectionState(runner, name, 'failed');
      const failed = errors.find((error) => error instanceof ProjectionFailedError) as ProjectionFailedError;
      const cause = failed.cause as ReadModelNotRegisteredError;
      expect(cause).to.be.instanceOf(ReadModelNotRegisteredError);
      expect(cause).to.include({ code: 'read_model_not_registered', projection: name, entityName });
      expect(cause.message).to.contain('EventStore.connect({ entities: [...] })').and.to.contain("application's MikroORM config");
      expect((cause.cause as Error).constructor.name).to.match(/ValidationError|MetadataError/);
      const status = await runner.status(name);
      expect(status.failure?.code).to.equal('read_model_not_registered');
      await runner.stop();
      await store.deleteSubscription('$all', `projection:${name}`);
    });
  }

  it('an inline projection: the append rejects with ReadModelNotRegisteredError and writes nothing', async () => {
    runner = store.projections([InlineUnregistered]);
    await runner.start();
    const before = await tableCounts(store.schema);
    const error = await caught(store.appendToStream('notes-inline', ExpectedVersion.NoStream, new EventSerializer().serializeAll([new Noted('n2')])));
    expect(error).to.be.instanceOf(ReadModelNotRegisteredError);
    expect(error.projection).to.equal('spec-unregistered-inline');
    expect(error.message).to.contain('EventStore.connect({ entities: [...] })');
    expect(await tableCounts(store.schema)).to.deep.equal(before);
  });
});
