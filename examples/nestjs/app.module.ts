/**
 * The application module. The application's MikroORM (@mikro-orm/nestjs)
 * holds the read model; the event store joins it (one pool, one
 * transaction per projection batch) and keeps its tables in a schema of its own.
 */
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Module } from '@nestjs/common';
import { EventStoreModule } from 'mikro-orm-eventstore/nestjs';
import { AccountBalance } from '../bank-account/account-balance.entity';
import { AccountBalances } from '../bank-account/account-balances.projection';
import { BankAccount } from '../bank-account/bank-account';
import { BankService } from './bank.service';
import { LargeWithdrawalAlerts } from './large-withdrawal-alerts';
import { READ_MODEL_SCHEMA, ReadModelSchema } from './read-model-schema';

export const STORE_SCHEMA = 'bank_nest_store';

@Module({})
export class AppModule {
  static register(clientUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MikroOrmModule.forRoot({
          driver: PostgreSqlDriver,
          clientUrl,
          schema: READ_MODEL_SCHEMA,
          entities: [AccountBalance],
          // The store's schema is the store's: the application's schema tools leave it alone.
          schemaGenerator: { ignoreSchema: [STORE_SCHEMA] },
          registerRequestContext: false,
        }),
        EventStoreModule.forRoot({ useApplicationOrm: true, schema: STORE_SCHEMA }),
        EventStoreModule.forFeature([BankAccount]),
      ],
      // The projection and the subscription are providers like any other.
      providers: [ReadModelSchema, BankService, AccountBalances, LargeWithdrawalAlerts],
    };
  }
}
