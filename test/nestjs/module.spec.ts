/**
 * EventStoreModule in Nest applications built with @nestjs/testing, on the
 * test run's PostgreSQL: injection of the store and of aggregate
 * repositories, projections and persistent subscriptions started and
 * stopped with the application, a store owning its MikroORM or joining the
 * application's (@mikro-orm/nestjs), and bad configurations.
 */
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Injectable, ModuleMetadata } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { expect } from 'chai';
import {
  AggregateNotRegisteredError,
  EventStore,
  ExpectedVersion,
  InvalidArgumentError,
  RecordedEvent,
  StoreClosedError,
  Subscription,
  SubscriptionAlreadyExistsError,
} from '../../src';
import { EventStoreLifecycle, EventStoreModule, EventStoreSubscription } from '../../src/nestjs';
import { waitUntil as until } from '../subscriptions/helpers';
import { caught, dropSchema, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';
import { APPLICATION_PROVIDERS, AccountService, BalanceBook, DepositLog, NestAccount } from './fixtures';

async function startApp(metadata: ModuleMetadata): Promise<TestingModule> {
  const app = await Test.createTestingModule(metadata).compile();
  await app.init(); // onModuleInit + onApplicationBootstrap, as NestFactory does
  return app;
}

async function schemaExists(schema: string): Promise<boolean> {
  return withClient(async (c) => (await c.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1);
}

describe('NestJS: EventStoreModule', function () {
  this.timeout(60_000);
  const schemas: string[] = [];
  const apps: TestingModule[] = [];
  const newSchema = () => {
    const schema = uniqueSchema('nest');
    schemas.push(schema);
    return schema;
  };

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined);
  });
  after(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  describe('with a MikroORM of its own (forRoot)', () => {
    it('injects the store and aggregate repositories, runs projections and subscriptions, stops them on close, and resumes after a restart', async () => {
      const schema = newSchema();
      const metadata: ModuleMetadata = {
        imports: [EventStoreModule.forRoot({ clientUrl: testDatabaseUrl(), schema }), EventStoreModule.forFeature([NestAccount])],
        providers: APPLICATION_PROVIDERS,
      };
      const first = await startApp(metadata);
      apps.push(first);
      const service = first.get(AccountService);
      const store = first.get(EventStore);
      expect(service.store).to.equal(store);
      expect(service.storeByType).to.equal(store);
      expect(store.schema).to.equal(schema);

      await service.open('a', 100);
      expect(await service.deposit('a', 5)).to.equal(105);
      expect(await service.deposit('a', 7)).to.equal(112);
      expect((await store.readStreamForward('NestAccount-a')).map((e) => e.eventType)).to.deep.equal(['NestAccountOpened', 'NestMoneyDeposited', 'NestMoneyDeposited']);

      const book = first.get(BalanceBook);
      const deposits = first.get(DepositLog);
      await until(() => book.balances.get('a') === 112 && deposits.amounts.length === 2, 'the projection and the subscription saw every event');
      expect(deposits.amounts).to.deep.equal([5, 7]);
      const lifecycle = first.get(EventStoreLifecycle);
      expect(lifecycle.projections?.names).to.deep.equal(['nestjs-balances']);
      expect([...lifecycle.subscriptions.keys()]).to.deep.equal(['nestjs-deposits']);
      await until(async () => (await lifecycle.projections!.lag('nestjs-balances')) === 0, 'the projection caught up');

      await first.close();
      expect(await caught(store.readAllForward())).to.be.instanceOf(StoreClosedError);
      expect(lifecycle.subscriptions.size).to.equal(0);

      // A new application on the same schema: checkpoints were kept and the
      // first application released its subscription and projection at once.
      const second = await startApp(metadata);
      apps.push(second);
      expect(await second.get(AccountService).deposit('a', 1)).to.equal(113);
      const secondBook = second.get(BalanceBook);
      const secondDeposits = second.get(DepositLog);
      await until(() => secondBook.balances.get('a') === 1 && secondDeposits.amounts.length === 1, 'the restarted projection and subscription saw the new event');
      expect(secondDeposits.amounts).to.deep.equal([1]); // 5 and 7 were acknowledged before: not delivered again
      expect(secondBook.balances.get('a')).to.equal(1); // resumed after its checkpoint, not replayed from the origin
    });

    it('takes its options from forRootAsync (useFactory with inject, or useClass)', async () => {
      const schema = newSchema();
      @Injectable()
      class Settings {
        readonly schema = schema;
      }
      @Injectable()
      class StoreOptions {
        createEventStoreOptions() {
          return { clientUrl: testDatabaseUrl(), schema };
        }
      }
      const byFactory = await startApp({
        imports: [
          EventStoreModule.forRootAsync({
            useFactory: (settings: Settings) => ({ clientUrl: testDatabaseUrl(), schema: settings.schema }),
            inject: [Settings],
            imports: [{ module: class SettingsModule {}, providers: [Settings], exports: [Settings] }],
            aggregates: [NestAccount],
          }),
        ],
        providers: [AccountService],
      });
      apps.push(byFactory);
      await byFactory.get(AccountService).open('f', 3);
      expect(byFactory.get(EventStore).schema).to.equal(schema);
      await byFactory.close();

      const byClass = await startApp({ imports: [EventStoreModule.forRootAsync({ useClass: StoreOptions })] });
      apps.push(byClass);
      expect((await byClass.get(EventStore).readStreamForward('NestAccount-f')).map((e) => e.data)).to.deep.equal([{ accountId: 'f', balance: 3 }]);
    });
  });

  describe("joining the application's MikroORM (@mikro-orm/nestjs)", () => {
    const ormModule = () => MikroOrmModule.forRoot({
      driver: PostgreSqlDriver,
      clientUrl: testDatabaseUrl(),
      discovery: { warnWhenNoEntities: false },
      registerRequestContext: false,
    });

    it('forRootAsync with the injected MikroORM: one pool, appends join the application transaction, the ORM is closed by its own module', async () => {
      const schema = newSchema();
      const app = await startApp({
        imports: [ormModule(), EventStoreModule.forRootAsync({ useFactory: (orm: MikroORM) => ({ orm, schema }), inject: [MikroORM], aggregates: [NestAccount] })],
        providers: [AccountService],
      });
      apps.push(app);
      const orm = app.get(MikroORM);
      const store = app.get(EventStore);
      expect(store.orm).to.equal(orm);

      const failed = await caught(orm.em.fork().transactional(async (em) => {
        await store.appendToStream('joined-1', ExpectedVersion.NoStream, [{ eventType: 'Noted', data: { n: 1 } }], { em });
        throw new Error('rolled back');
      }));
      expect(failed.message).to.equal('rolled back');
      await orm.em.fork().transactional(async (em) => {
        await store.appendToStream('joined-2', ExpectedVersion.NoStream, [{ eventType: 'Noted', data: { n: 2 } }], { em });
      });
      // Appended in the caller's transaction: in $all soon after its commit.
      await until(async () => (await store.readAllForward()).length > 0, 'the committed append is in $all');
      expect((await store.readAllForward()).map((e) => e.streamId)).to.deep.equal(['joined-2']);

      await app.close();
      expect(await orm.isConnected()).to.equal(false);
      expect(await caught(store.readAllForward())).to.be.instanceOf(StoreClosedError);
    });

    it('forRoot({ useApplicationOrm: true })', async () => {
      const schema = newSchema();
      const app = await startApp({ imports: [ormModule(), EventStoreModule.forRoot({ useApplicationOrm: true, schema })] });
      apps.push(app);
      expect(app.get(EventStore).orm).to.equal(app.get(MikroORM));
      expect(await schemaExists(schema)).to.equal(true); // migrated when the application started
    });
  });

  describe('bad configurations are refused with typed errors', () => {
    it('refuses a class that is not an @Aggregate, and aggregates that are not an array', () => {
      class NotAnAggregate {}
      expect(() => EventStoreModule.forFeature([NotAnAggregate as never])).to.throw(AggregateNotRegisteredError);
      expect(() => EventStoreModule.forFeature('NestAccount' as never)).to.throw(InvalidArgumentError, /aggregates/);
      expect(() => EventStoreModule.forRoot({ aggregates: [NotAnAggregate as never] })).to.throw(AggregateNotRegisteredError);
    });

    it('refuses forRootAsync without a factory, and orm together with useApplicationOrm', () => {
      expect(() => EventStoreModule.forRootAsync({})).to.throw(InvalidArgumentError, /useFactory, useClass or useExisting/);
      expect(() => EventStoreModule.forRoot({ useApplicationOrm: true, orm: {} as MikroORM })).to.throw(InvalidArgumentError, /either orm or useApplicationOrm/);
    });

    it('refuses a joined MikroORM with options of its own, and writes nothing', async () => {
      const schema = newSchema();
      const orm = await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: testDatabaseUrl(), discovery: { warnWhenNoEntities: false } });
      try {
        const error = await caught(startApp({
          imports: [EventStoreModule.forRootAsync({ useFactory: () => ({ orm, schema, clientUrl: testDatabaseUrl() }) })],
        }));
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error.code).to.equal('invalid_argument');
        expect(error.message).to.match(/joined MikroORM takes no clientUrl/);
        expect(await schemaExists(schema)).to.equal(false);
      } finally {
        await orm.close();
      }
    });

    it('refuses @EventStoreSubscription without a name or without a handle method', () => {
      expect(() => EventStoreSubscription('')).to.throw(InvalidArgumentError, /name/);
      expect(() => EventStoreSubscription('x', { stream: '' })).to.throw(InvalidArgumentError, /stream/);
      expect(() => {
        @EventStoreSubscription('no-handle')
        class NoHandle {}
        return NoHandle;
      }).to.throw(InvalidArgumentError, /NoHandle has no handle/);
    });

    it('an application whose subscriptions cannot start fails to start and leaves nothing running', async () => {
      const schema = newSchema();
      @EventStoreSubscription('nestjs-deposits')
      @Injectable()
      class SameName {
        async handle(events: RecordedEvent[], subscription: Subscription): Promise<void> {
          await subscription.ack(events);
        }
      }
      const app = await Test.createTestingModule({
        imports: [EventStoreModule.forRoot({ clientUrl: testDatabaseUrl(), schema })],
        providers: [DepositLog, SameName],
      }).compile();
      const store = app.get(EventStore);
      const error = await caught(app.init());
      expect(error).to.be.instanceOf(SubscriptionAlreadyExistsError);
      expect(await caught(store.readAllForward())).to.be.instanceOf(StoreClosedError); // its pool is closed: the process can exit
    });
  });
});
