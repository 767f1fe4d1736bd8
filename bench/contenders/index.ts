/**
 * The contenders, in table order; the baseline is the denominator of every
 * ratio. Only descriptions live here: the implementations are loaded by the
 * worker process that runs them (see factory.ts), never by the parent.
 */
import type { ContenderInfo, ContenderKey } from './contender';

export const BASELINE: ContenderKey = 'hand-sql';

export const CONTENDERS: readonly ContenderInfo[] = [
  {
    key: 'hand-sql',
    label: 'hand SQL',
    description: "a plain pg Pool on the library's own schema: es_append (+ es_sequence when needed) and the library's read SQL, written by hand; " +
      'subscriptions as a LISTEN plus reads and a checkpoint UPDATE per subscriber; aggregates as a stream read folded by hand',
  },
  {
    key: 'library',
    label: 'library',
    description: 'mikro-orm-eventstore through its public API: EventStore.connect, appendToStream, readStreamForward, readAllForward, ' +
      'subscribeToAllStreams, aggregateRepository(Class).load / save',
  },
  {
    key: 'emmett',
    label: 'Emmett',
    description: '@event-driven-io/emmett-postgresql 0.42.0: appendToStream, readStream, readMessagesBatch for the global log, ' +
      'a consumer with a reactor per subscription, aggregateStream and CommandHandler',
  },
  {
    key: 'no-seq',
    label: 'SQL w/o sequencer',
    description: 'a plain pg Pool: events with a bigserial position taken at insert and a stream row version check in one statement; ' +
      'no gap-free $all (a reader can skip a late commit): the floor the ordered stores are measured against',
    workloads: ['command-new-1', 'command-new-3', 'command-existing-1', 'command-existing-3', 'append-latency'],
  },
];

export function contenderInfo(key: ContenderKey): ContenderInfo {
  const info = CONTENDERS.find((c) => c.key === key);
  if (!info) throw new Error(`unknown contender ${key}`);
  return info;
}
