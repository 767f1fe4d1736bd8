/**
 * The aggregate of the aggregate workloads, the same for every contender: a
 * bank account whose events are the fixture's "AccountCredited" and whose
 * state is its balance (the fold adds each event's amount). It lives in the
 * stream `BenchAccount-<id>`, the library's default stream name.
 */
import { EVENT_METADATA } from '../fixtures';

export const ACCOUNT_AGGREGATE = 'BenchAccount';

export function accountStream(id: string): string {
  return `${ACCOUNT_AGGREGATE}-${id}`;
}

/** What the library's serializer stores as metadata for the fixture's metadata; hand SQL writes the same bytes. */
export const ACCOUNT_EVENT_METADATA = Object.freeze({ ...EVENT_METADATA, schemaVersion: 1 });

export interface AccountState {
  version: number;
  balance: number;
}

export const initialAccount = (): AccountState => ({ version: 0, balance: 0 });

/** One event folded into the state. */
export function creditAccount(state: AccountState, amount: number): AccountState {
  return { version: state.version + 1, balance: state.balance + amount };
}
