import { expect } from 'chai';
import { DuplicateAggregateError, DuplicateEventTypeError, DuplicateProjectionError, DuplicateUpcasterError, EventClassNotRegisteredError } from '../../src';
import { DomainRegistry, aggregateNameOf, assertSchemaVersion, assertTypeName } from '../../src/domain/registry';
import type { ResolvedProjectionOptions } from '../../src/projections/projection-options';
import { ProjectionRegistry } from '../../src/projections/registry';
import { caughtSync } from '../domain/helpers';
import { expectInvalidArgument } from '../support/invalid-argument';

// Fresh registries, filled by hand: the checks without the decorators (and without touching the process-wide registries).
class Opened {}
class Closed {}
class Base {}
class Derived extends Base {}
class Other {}

const OPTIONS: ResolvedProjectionOptions = { startFrom: 'origin', batchSize: 1000, maxAttempts: 5, poisonEvents: 'stop', inline: false, batchLookups: true };

describe('ProjectionRegistry', () => {
  it('finds a projection by class, and accepts the same registration twice', () => {
    const registry = new ProjectionRegistry();
    registry.registerProjection({ name: 'p', projectionClass: Base, options: OPTIONS });
    registry.registerProjection({ name: 'p', projectionClass: Base, options: OPTIONS });
    expect(registry.projectionByClass(Base)!.name).to.equal('p');
    expect(registry.projectionByClass(Other)).to.equal(undefined);
  });

  it('refuses a second class under a name in use, and a class under a second name', () => {
    const registry = new ProjectionRegistry();
    registry.registerProjection({ name: 'p', projectionClass: Base, options: OPTIONS });
    const taken = caughtSync(() => registry.registerProjection({ name: 'p', projectionClass: Other, options: OPTIONS }));
    expect(taken).to.be.instanceOf(DuplicateProjectionError);
    expect(taken.message).to.match(/already registered by class Base, now by Other/);
    const renamed = caughtSync(() => registry.registerProjection({ name: 'q', projectionClass: Base, options: OPTIONS }));
    expect(renamed).to.be.instanceOf(DuplicateProjectionError);
    expect(renamed.message).to.match(/class Base is already registered as "p"/);
    expect(registry.projectionByClass(Other), 'a refused registration leaves nothing').to.equal(undefined);
  });

  it('merges the handlers of base classes, the subclass\'s own method first', () => {
    const registry = new ProjectionRegistry();
    registry.registerHandler(Base, Opened, 'baseOpened');
    registry.registerHandler(Base, Closed, 'closed');
    registry.registerHandler(Derived, Opened, 'opened');
    expect([...registry.handlersOf(Derived)]).to.deep.equal([[Opened, 'opened'], [Closed, 'closed']]);
    expect([...registry.handlersOf(Base)]).to.deep.equal([[Opened, 'baseOpened'], [Closed, 'closed']]);
    expect(registry.handlersOf(Other).size).to.equal(0);
  });

  it('refuses a second handler of one event class in one class', () => {
    const registry = new ProjectionRegistry();
    registry.registerHandler(Base, Opened, 'a');
    registry.registerHandler(Base, Opened, 'a');
    expectInvalidArgument(() => registry.registerHandler(Base, Opened, 'b'), '@Handles', /Base already handles Opened in a; b would be a second handler/);
  });
});

describe('DomainRegistry', () => {
  it('finds an event type by name and by class, and refuses a name or a class taken twice', () => {
    const registry = new DomainRegistry();
    registry.registerEvent(Opened, 'Opened', 2);
    registry.registerEvent(Opened, 'Opened', 2);
    expect(registry.eventByName('Opened')).to.deep.equal({ name: 'Opened', version: 2, eventClass: Opened });
    expect(registry.eventByClass(Opened)!.name).to.equal('Opened');
    expect(registry.eventByName('Closed')).to.equal(undefined);
    expect(caughtSync(() => registry.registerEvent(Closed, 'Opened', 1))).to.be.instanceOf(DuplicateEventTypeError);
    expect(caughtSync(() => registry.registerEvent(Opened, 'Reopened', 1))).to.be.instanceOf(DuplicateEventTypeError);
    expect(registry.eventByName('Reopened')).to.equal(undefined);
  });

  it('keeps one upcaster per type and version', () => {
    const registry = new DomainRegistry();
    const up = (data: unknown) => data;
    registry.registerUpcaster('Opened', 1, up);
    expect(registry.upcaster('Opened', 1)).to.equal(up);
    expect(registry.upcaster('Opened', 2)).to.equal(undefined);
    const error = caughtSync(() => registry.registerUpcaster('Opened', 1, up));
    expect(error).to.be.instanceOf(DuplicateUpcasterError);
    expect(error.code).to.be.a('string');
  });

  it('refuses an aggregate whose @Apply names an event class that is not registered', () => {
    const registry = new DomainRegistry();
    registry.registerApplyHandler(Base, Opened, 'opened');
    const error = caughtSync(() => registry.registerAggregate({ name: 'A', aggregateClass: Base, snapshotVersion: 1, streamId: (id) => id }));
    expect(error).to.be.instanceOf(EventClassNotRegisteredError);
    expect(registry.aggregateByClass(Base)).to.equal(undefined);
    registry.registerEvent(Opened, 'Opened', 1);
    registry.registerAggregate({ name: 'A', aggregateClass: Base, snapshotVersion: 1, streamId: (id) => id });
    expect(aggregateNameOf(Base, registry)).to.equal('A');
    expect(aggregateNameOf(Other, registry), 'the class name when not registered').to.equal('Other');
  });

  it('refuses an aggregate name taken by another class, and a class under two names', () => {
    const registry = new DomainRegistry();
    const info = { snapshotVersion: 1, streamId: (id: string) => id };
    registry.registerAggregate({ name: 'A', aggregateClass: Base, ...info });
    expect(caughtSync(() => registry.registerAggregate({ name: 'A', aggregateClass: Other, ...info }))).to.be.instanceOf(DuplicateAggregateError);
    expect(caughtSync(() => registry.registerAggregate({ name: 'B', aggregateClass: Base, ...info }))).to.be.instanceOf(DuplicateAggregateError);
  });

  it('finds @Apply handlers along the class chain, and sees handlers added after a first look-up', () => {
    const registry = new DomainRegistry();
    registry.registerApplyHandler(Base, Opened, 'opened');
    expect(registry.applyHandler(Derived, Opened)).to.equal('opened');
    expect(registry.applyHandler(Derived, Closed)).to.equal(undefined);
    registry.registerApplyHandler(Derived, Closed, 'closed');
    expect(registry.applyHandler(Derived, Closed)).to.equal('closed');
    expectInvalidArgument(() => registry.registerApplyHandler(Base, Opened, 'other'), '@Apply', /second handler/);
  });

  it('checks type names and schema versions', () => {
    assertTypeName('Opened', 'name');
    assertSchemaVersion(1, 'version');
    assertSchemaVersion(1_000_000, 'version');
    expectInvalidArgument(() => assertTypeName('  ', 'name'), 'name', /non-empty name/);
    expectInvalidArgument(() => assertTypeName(1, 'name'), 'name');
    expectInvalidArgument(() => assertTypeName('A\u0000', 'name'), 'name', /NUL/);
    expectInvalidArgument(() => assertSchemaVersion(0, 'version'), 'version');
    expectInvalidArgument(() => assertSchemaVersion(1_000_001, 'version'), 'version');
    expectInvalidArgument(() => assertSchemaVersion(1.5, 'version'), 'version');
  });
});
