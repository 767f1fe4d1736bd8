/**
 * Events, read-model entities and projections shared by the projection
 * specs and their child process. Names carry a `ProjSpec` / `spec-` prefix:
 * registrations are process-wide.
 */
import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { DomainEvent, EventStore, Handles, Projection, ProjectionContext, ProjectionResetContext } from '../../src';

@DomainEvent('ProjSpecAccountOpened')
export class AccountOpened {
  constructor(readonly accountId: string, readonly owner: string, readonly balance: number) {}
}

@DomainEvent('ProjSpecDeposited')
export class Deposited {
  constructor(readonly accountId: string, readonly amount: number) {}
}

@DomainEvent('ProjSpecWithdrawn')
export class Withdrawn {
  constructor(readonly accountId: string, readonly amount: number) {}
}

/** Registered, handled by no projection. */
@DomainEvent('ProjSpecNoted')
export class Noted {
  constructor(readonly text: string) {}
}

@Entity({ tableName: 'proj_account_balances' })
export class AccountBalance {
  @PrimaryKey({ type: 'text' }) accountId: string;
  @Property({ type: 'text' }) owner: string;
  @Property({ type: 'integer' }) balance: number;
  /** Events applied to this row. */
  @Property({ type: 'integer' }) events: number & Opt = 1;

  constructor(accountId: string, owner: string, balance: number) {
    this.accountId = accountId;
    this.owner = owner;
    this.balance = balance;
  }
}

/** One row per event a projection applied: applying an event twice breaks the primary key. */
@Entity({ tableName: 'proj_applied_events' })
export class AppliedEvent {
  @PrimaryKey({ type: 'uuid' }) eventId!: string;
  @Property({ type: 'text' }) projection!: string;
  @Property({ type: 'bigint' }) position!: string;
  @Property({ type: 'text' }) appliedBy!: string;
}

export const READ_MODEL_ENTITIES = [AccountBalance, AppliedEvent];

/** The balances of accounts: entities through the unit of work. */
@Projection('spec-account-balances', { batchSize: 50 })
export class AccountBalances {
  @Handles(AccountOpened)
  opened(e: AccountOpened, { em }: ProjectionContext): void {
    em.persist(new AccountBalance(e.accountId, e.owner, e.balance));
  }

  @Handles(Deposited)
  async deposited(e: Deposited, { em }: ProjectionContext): Promise<void> {
    const account = await em.findOneOrFail(AccountBalance, { accountId: e.accountId });
    account.balance += e.amount;
    account.events++;
  }

  @Handles(Withdrawn)
  async withdrawn(e: Withdrawn, { em }: ProjectionContext): Promise<void> {
    // A query sees the batch's earlier changes: the unit of work keeps the entity loaded above.
    const account = await em.findOneOrFail(AccountBalance, { accountId: e.accountId });
    account.balance -= e.amount;
    account.events++;
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(AccountBalance, {});
  }
}

export interface AppliedLogOptions {
  /** Who applies (for the multi-process tests). */
  appliedBy?: string;
  /** A pause in every handler (a batch then takes a while). */
  delayMs?: number;
  /** Called once each event is written, still inside the batch's transaction. */
  onApplied?: (position: number) => void | Promise<void>;
}

/** Writes a row per deposit or withdrawal at once (em.insert, inside the batch's transaction). */
@Projection('spec-applied-log', { batchSize: 10 })
export class AppliedLog {
  constructor(private readonly options: AppliedLogOptions = {}) {}

  @Handles(Deposited)
  deposited(_e: Deposited, ctx: ProjectionContext): Promise<void> {
    return this.log(ctx);
  }

  @Handles(Withdrawn)
  withdrawn(_e: Withdrawn, ctx: ProjectionContext): Promise<void> {
    return this.log(ctx);
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(AppliedEvent, { projection: 'spec-applied-log' });
  }

  private async log({ em, event }: ProjectionContext): Promise<void> {
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    await em.insert(AppliedEvent, { eventId: event.eventId, projection: 'spec-applied-log', position: String(event.position), appliedBy: this.options.appliedBy ?? 'test' });
    await this.options.onApplied?.(event.position);
  }
}

/** Creates the read-model tables in the store's schema. */
export async function createReadModel(store: EventStore): Promise<void> {
  await store.orm.schema.updateSchema({ schema: store.schema });
}
