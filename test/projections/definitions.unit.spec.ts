import { expect } from 'chai';
import {
  DomainEvent,
  DuplicateProjectionError,
  EventClassNotRegisteredError,
  Handles,
  InvalidArgumentError,
  Projection,
  ProjectionContext,
  RecordedEvent,
} from '../../src';
import { FailureTracker } from '../../src/projections/failure-tracker';
import { PageReader } from '../../src/projections/page-reader';
import { ProjectionDefinition, definitionsOf } from '../../src/projections/projection-definition';
import { projectionRegistry } from '../../src/projections/registry';
import { isConnectionError } from '../../src/projections/transient-errors';
import { ConnectionException } from '@mikro-orm/core';

@DomainEvent('ProjSpecDefA')
class EventA {}

@DomainEvent('ProjSpecDefB')
class EventB {}

class NotAnEvent {}

const calls: string[] = [];

@Projection('spec-def-base')
class Base {
  @Handles(EventA) a(): void {
    calls.push('base a');
  }

  @Handles(EventB) b(): void {
    calls.push('base b');
  }
}

@Projection('spec-def-derived', { batchSize: 7, maxAttempts: 2, startFrom: 12 })
class Derived extends Base {
  @Handles(EventA) ownA(): void {
    calls.push('derived a');
  }
}

function recorded(position: number, eventType = 'T'): RecordedEvent {
  return { eventId: `e${position}`, eventNumber: position, position, streamId: 's', streamVersion: position, eventType, data: {}, metadata: null, causationId: null, correlationId: null, createdAt: new Date(0) };
}

describe('projections: decorators and definitions', () => {
  it('records the name, the options with their defaults, and the handlers by stored event type, base classes included', async () => {
    const [base, derived] = definitionsOf([Base, new Derived()]);
    expect(base.name).to.equal('spec-def-base');
    expect(base.subscriptionName).to.equal('projection:spec-def-base');
    expect(base.options).to.deep.equal({ startFrom: 'origin', batchSize: 1000, maxAttempts: 5, poisonEvents: 'stop', inline: false, batchLookups: true });
    expect(derived.options).to.deep.equal({ startFrom: 12, batchSize: 7, maxAttempts: 2, poisonEvents: 'stop', inline: false, batchLookups: true });
    expect(base.handles('ProjSpecDefA')).to.equal(true);
    expect(base.handles('EventA')).to.equal(false);
    const ctx = (eventType: string) => ({ em: undefined, event: recorded(1, eventType) }) as unknown as ProjectionContext;
    await base.apply(new EventA(), ctx('ProjSpecDefA'));
    await derived.apply(new EventA(), ctx('ProjSpecDefA'));
    await derived.apply(new EventB(), ctx('ProjSpecDefB'));
    expect(calls).to.deep.equal(['base a', 'derived a', 'base b']);
    // A subclass's own handler wins over its base class's.
    expect(projectionRegistry.handlersOf(Derived).get(EventA)).to.equal('ownA');
    expect(projectionRegistry.handlersOf(Derived).get(EventB)).to.equal('b');
  });

  it('is a plain class that can be built without decorators', async () => {
    const seen: string[] = [];
    const definition = new ProjectionDefinition('plain', { on: (e: { id: string }) => seen.push(e.id) }, { startFrom: 'origin', batchSize: 1, maxAttempts: 1, poisonEvents: 'stop', inline: false, batchLookups: true }, new Map([['T', 'on']]));
    await definition.apply({ id: 'x' }, { em: undefined, event: recorded(1) } as unknown as ProjectionContext);
    await definition.reset({ em: undefined } as never); // no reset method: nothing happens
    expect(seen).to.deep.equal(['x']);
  });

  describe('bad declarations', () => {
    it('refuses bad names and options, naming them', () => {
      expect(() => Projection('')).to.throw(InvalidArgumentError, /@Projection name/);
      expect(() => Projection(42 as never)).to.throw(InvalidArgumentError, /@Projection name/);
      expect(() => Projection('x', { batchSize: 0 })).to.throw(InvalidArgumentError, /batchSize/);
      expect(() => Projection('x', { batchSize: 10_001 })).to.throw(InvalidArgumentError, /batchSize/);
      expect(() => Projection('x', { maxAttempts: 0 })).to.throw(InvalidArgumentError, /maxAttempts/);
      expect(() => Projection('x', { startFrom: -1 })).to.throw(InvalidArgumentError, /startFrom/);
      expect(() => Projection('x', { startFrom: 'end' as never })).to.throw(InvalidArgumentError, /startFrom/);
      expect(() => Projection('x', { inline: 'yes' as never })).to.throw(InvalidArgumentError, /inline/);
      expect(() => Projection('x', null as never)).to.throw(InvalidArgumentError, /options/);
    });

    it('refuses a projection without handlers, or with a handler of a class that is not a @DomainEvent', () => {
      expect(() => {
        @Projection('spec-def-empty')
        class Empty {}
        return Empty;
      }).to.throw(InvalidArgumentError, /Empty has no @Handles/);
      expect(() => {
        @Projection('spec-def-not-event')
        class NotEvent {
          @Handles(NotAnEvent) on(): void {}
        }
        return NotEvent;
      }).to.throw(EventClassNotRegisteredError, /NotAnEvent/);
      expect(() => Handles(undefined as never)).to.throw(InvalidArgumentError, /defined before the projection/);
    });

    it('refuses two handlers of one event class in one class, and static handlers', () => {
      expect(() => {
        class Twice {
          @Handles(EventA) one(): void {}
          @Handles(EventA) two(): void {}
        }
        return Twice;
      }).to.throw(InvalidArgumentError, /already handles EventA/);
      expect(() => {
        class Static {
          @Handles(EventA) static on(): void {}
        }
        return Static;
      }).to.throw(InvalidArgumentError, /static/);
    });

    it('refuses a second class under a name in use, and a class under two names', () => {
      const duplicate = () => {
        @Projection('spec-def-base')
        class Other {
          @Handles(EventA) on(): void {}
        }
        return Other;
      };
      expect(duplicate).to.throw(DuplicateProjectionError, /spec-def-base/);
      expect(() => Projection('spec-def-renamed')(Base)).to.throw(DuplicateProjectionError, /already registered as "spec-def-base"/);
    });
  });

  describe('FailureTracker', () => {
    const page = [1, 2, 3, 4, 5].map((p) => recorded(p));

    it('cuts the retry before the failing event, then tries it alone, and gives up at maxAttempts', () => {
      const tracker = new FailureTracker(3);
      expect(tracker.select(page)).to.equal(page);
      expect(tracker.failed(page, new Error('x'), 3)).to.equal(false);
      expect(tracker.select(page).map((e) => e.position)).to.deep.equal([1, 2]);
      tracker.committed(2);
      expect(tracker.attempts).to.equal(1);
      expect(tracker.select(page.slice(2)).map((e) => e.position)).to.deep.equal([3]);
      expect(tracker.failed(page.slice(2, 3), new Error('x'), 3)).to.equal(false);
      expect(tracker.failed(page.slice(2, 3), new Error('x'), 3)).to.equal(true);
      expect(tracker.position).to.equal(3);
    });

    it('retries event by event after a failure without a position, and forgets it once past the batch', () => {
      const tracker = new FailureTracker(5);
      tracker.failed(page, new Error('flush'), undefined);
      expect(tracker.position).to.equal(1);
      expect(tracker.select(page).map((e) => e.position)).to.deep.equal([1]);
      tracker.committed(1);
      expect(tracker.select(page.slice(1)).map((e) => e.position)).to.deep.equal([2]);
      tracker.committed(5);
      expect(tracker.attempts).to.equal(0);
      expect(tracker.select(page)).to.equal(page);
    });
  });

  describe('PageReader', () => {
    it('shares reads in flight and keeps full pages; short pages only until the next wake-up', async () => {
      const reads: number[] = [];
      let end = 10;
      const pages = new PageReader({
        readAll: async (start, count) => {
          reads.push(start);
          const positions = [];
          for (let p = start; p <= Math.min(end, start + count - 1); p++) positions.push(p);
          return positions.map((p) => recorded(p));
        },
        readFiltered: () => Promise.reject(new Error('not filtered')),
      });
      const [a, b] = await Promise.all([pages.read(0, 5), pages.read(0, 5)]);
      expect(a).to.equal(b);
      expect(await pages.read(0, 5)).to.equal(a);
      expect(reads).to.deep.equal([1]);
      const short = await pages.read(5, 10);
      expect(short.events.map((e) => e.position)).to.deep.equal([6, 7, 8, 9, 10]);
      expect(await pages.read(5, 10)).to.equal(short);
      end = 12;
      pages.woken();
      expect((await pages.read(5, 10)).events.map((e) => e.position)).to.deep.equal([6, 7, 8, 9, 10, 11, 12]);
      expect(await pages.read(0, 5)).to.equal(a);
      expect(reads).to.deep.equal([1, 6, 6]);
    });
  });

  it("tells database outages from the projection's own failures", () => {
    expect(isConnectionError(new ConnectionException(new Error('down')))).to.equal(true);
    expect(isConnectionError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).to.equal(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).to.equal(true);
    expect(isConnectionError(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') }))).to.equal(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).to.equal(false);
    expect(isConnectionError(new Error('no credit'))).to.equal(false);
    expect(isConnectionError('text')).to.equal(false);
  });
});
