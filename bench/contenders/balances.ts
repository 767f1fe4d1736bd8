/**
 * The read model of the projection workload, the same for every contender:
 * account balances, one row per account. Each "AccountCredited" adds its
 * amount to its account's row (the account's first event creates it) and
 * counts one event. The log spreads its events over ACCOUNTS accounts, so
 * after the first page nearly every event updates an existing row.
 */
import { BenchEvent, EVENT_DATA, EventIdKind, makeEvents } from '../fixtures';

export const ACCOUNTS = 1000;

/** The table, created by every contender with this statement (in its database's `public` schema). */
export const CREATE_BALANCES = `create table if not exists public.bench_balances (
  account_id text primary key,
  balance numeric(14, 2) not null,
  events integer not null)`;

/** What a rebuild left: for the check after every repetition. */
export interface BalanceTotals {
  rows: number;
  /** Events counted over all rows: each projected event counts once. */
  events: number;
  /** The sum of the balances. */
  amount: number;
  /** The projection's checkpoint: the `$all` position of the last event it committed. */
  checkpoint: number;
  /** `$all` events after the checkpoint (0: caught up). */
  lag: number;
}

/** The statement that sums the table, for every contender. */
export const BALANCE_TOTALS = `select count(*)::int as rows, coalesce(sum(events), 0)::int as events, coalesce(sum(balance), 0)::float8 as amount
  from public.bench_balances`;

/** A rebuild's own count of what it committed. */
export interface RebuildOutcome {
  events: number;
  /** Batches committed (each one transaction with its checkpoint). */
  batches: number;
}

/** A rebuild under way. */
export interface RunningRebuild {
  /** Resolves once the projection has caught up. */
  done: Promise<RebuildOutcome>;
  /** Interrupts it (the batch in flight commits first) and resolves with what it committed: after the time cap. */
  stop(): Promise<RebuildOutcome>;
}

/** Account n's id: uuid-shaped like the fixture's, so that the event's JSON keeps its 214 bytes. */
export function balanceAccountId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** The account of the log's i-th event: scattered by a hash, the same for every contender. */
export function accountOf(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % ACCOUNTS;
}

/** The type of the log's other events (the filtered workload): the credit's data under another name, which the balances do not handle. */
export const NOTED_TYPE = 'AccountNoted';

/**
 * The log's events `first` to `first + count - 1`: the fixture's event, each
 * for its own account; with `every` > 1 only each `every`-th event of the
 * log is a credit, the others are of NOTED_TYPE.
 */
export function creditEvents(first: number, count: number, ids: EventIdKind, every = 1): BenchEvent[] {
  return makeEvents(count, ids).map((event, i) => ({
    ...event,
    eventType: (first + i) % every === 0 ? event.eventType : NOTED_TYPE,
    data: { ...EVENT_DATA, accountId: balanceAccountId(accountOf(first + i)) },
  }));
}

/**
 * The credits among the first `events` events of a log with a credit every
 * `every` events. Appends are `every`-aligned runs of `$all`, so this is
 * also the number of credits up to position `events`.
 */
export function creditsUpTo(events: number, every = 1): number {
  return Math.ceil(events / every);
}

/** The totals a correct rebuild of the first `events` events of the log leaves. */
export function expectedTotals(events: number, every = 1): BalanceTotals {
  const accounts = new Set<number>();
  for (let i = 0; i < events; i += every) accounts.add(accountOf(i));
  const credits = creditsUpTo(events, every);
  return { rows: accounts.size, events: credits, amount: credits * EVENT_DATA.amount, checkpoint: events, lag: 0 };
}

/**
 * Why `actual` is not what the rebuild of a log of `expected.checkpoint`
 * events (a credit every `every`) should leave; null when it is. A rebuild
 * stopped early must have applied exactly the credits up to its checkpoint:
 * `$all` positions are dense from 1 here and every credit is of the same
 * amount, so its counts follow from the checkpoint alone.
 */
export function totalsMismatch(actual: BalanceTotals, expected: BalanceTotals, every = 1): string | null {
  const done = actual.checkpoint;
  const end = expected.checkpoint;
  const wrong: string[] = [];
  if (done > end) wrong.push(`checkpoint ${done} beyond the log's ${end} events`);
  if (done === end ? actual.rows !== expected.rows : actual.rows > expected.rows) {
    wrong.push(`${actual.rows} rows, expected ${done === end ? '' : 'at most '}${expected.rows}`);
  }
  const credits = creditsUpTo(done, every);
  if (actual.events !== credits) wrong.push(`${actual.events} events counted at checkpoint ${done}${every > 1 ? `, expected ${credits}` : ''}`);
  // numeric(14, 2) sums exactly; the float8 of the sum is within a cent of the expected total.
  const amount = credits * EVENT_DATA.amount;
  if (Math.abs(actual.amount - amount) > 0.01) wrong.push(`balances sum to ${actual.amount} at checkpoint ${done}, expected ${amount.toFixed(2)}`);
  if (actual.lag !== end - done) wrong.push(`lag ${actual.lag} at checkpoint ${done} of ${end}`);
  return wrong.length > 0 ? wrong.join('; ') : null;
}
