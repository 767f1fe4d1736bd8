/**
 * The contract between the store's SQL (the migrations' functions, the
 * statements in the `sql/` modules) and its TypeScript. Both sides use these
 * names: the TypeScript imports them, the migrations interpolate them into
 * the SQL they create (the SQL text is unchanged, only its source is here).
 */

/** The stream id of the global stream, in the API and in `subscriptions.stream_id`. */
export const ALL_STREAM = '$all';

/** Expected versions as the SQL write functions take them (a version n >= 0 is itself). */
export const ExpectedVersionCode = {
  Any: -1,
  NoStream: -2,
  StreamExists: -3,
} as const;

/** Result codes of the SQL write functions (es_append, es_link, es_delete, es_truncate). */
export const WriteStatus = {
  Ok: 0,
  WrongExpectedVersion: 1,
  StreamExists: 2,
  StreamNotFound: 3,
  StreamDeleted: 4,
  EventNotFound: 5,
  DuplicateEvent: 6,
} as const;

export type WriteStatusCode = (typeof WriteStatus)[keyof typeof WriteStatus];

/**
 * The expected-version rules (those of commanded/eventstore), for a
 * stream's committed state: `undefined` when the stream has no row. The SQL
 * functions take the same rules from `expectedVersionStatusSql` below (a
 * spec runs every case through both).
 */
export function expectedVersionStatus(expected: number, state: { version: number; deleted_at: Date | null } | undefined): WriteStatusCode {
  if (!state) {
    if (expected === ExpectedVersionCode.StreamExists) return WriteStatus.StreamNotFound;
    if (expected === ExpectedVersionCode.Any || expected === ExpectedVersionCode.NoStream || expected === 0) return WriteStatus.Ok;
    return WriteStatus.WrongExpectedVersion;
  }
  if (state.deleted_at) return WriteStatus.StreamDeleted;
  if (expected === ExpectedVersionCode.Any || expected === ExpectedVersionCode.StreamExists) return WriteStatus.Ok;
  if (expected === ExpectedVersionCode.NoStream) return state.version === 0 ? WriteStatus.Ok : WriteStatus.StreamExists;
  return expected === state.version ? WriteStatus.Ok : WriteStatus.WrongExpectedVersion;
}

/** The SQL expressions `expectedVersionStatusSql` reads the stream's state from. */
export interface ExpectedVersionSqlTerms {
  /** The expected version (a bigint: a code of ExpectedVersionCode or n >= 0). */
  expected: string;
  /** True when the stream has a row. */
  exists: string;
  /** The stream row's version. */
  version: string;
  /** True when the stream row is soft-deleted. */
  deleted: string;
}

/**
 * `expectedVersionStatus` as an SQL expression (a CASE giving a
 * WriteStatus), for the write functions of the migrations: the same rules
 * in the same order, written with the same names.
 */
export function expectedVersionStatusSql(t: ExpectedVersionSqlTerms): string {
  const { Any, NoStream, StreamExists } = ExpectedVersionCode;
  return `(case
          when not (${t.exists}) then
            case when ${t.expected} = ${StreamExists} then ${WriteStatus.StreamNotFound}
                 when ${t.expected} in (${Any}, ${NoStream}, 0) then ${WriteStatus.Ok}
                 else ${WriteStatus.WrongExpectedVersion} end
          when ${t.deleted} then ${WriteStatus.StreamDeleted}
          when ${t.expected} in (${Any}, ${StreamExists}) then ${WriteStatus.Ok}
          when ${t.expected} = ${NoStream} then case when ${t.version} = 0 then ${WriteStatus.Ok} else ${WriteStatus.StreamExists} end
          when ${t.expected} = ${t.version} then ${WriteStatus.Ok}
          else ${WriteStatus.WrongExpectedVersion} end)`;
}

/** The SQL names `takeVersionsSql` writes with. */
export interface TakeVersionsSqlTerms {
  /** The streams table, as the function names it (`streams`, `{s}.streams`). */
  streams: string;
  stream: string;
  expected: string;
  /** How many versions to take. */
  count: string;
  /** Where the stream row's id and new version go (`v_ref, stream_version`): both null when refused. */
  into: string;
}

/**
 * The expected-version rules in their locking form: PL/pgSQL that locks (or
 * creates) the stream row and moves its version by `count` when the rules
 * allow it, in one statement. When they do not, `into` stays null and the
 * caller explains the refusal with `expectedVersionStatusSql`. Inlined into
 * es_append (no function call per append) and es_link.
 */
export function takeVersionsSql(t: TakeVersionsSqlTerms): string {
  const returning = `returning s.id, s.version into ${t.into};`;
  return `if ${t.expected} = ${ExpectedVersionCode.Any} then
          insert into ${t.streams} as s (stream_id, version) values (${t.stream}, ${t.count})
          on conflict (stream_id) do update set version = s.version + ${t.count} where s.deleted_at is null
          ${returning}
        elsif ${t.expected} = ${ExpectedVersionCode.NoStream} or ${t.expected} = 0 then
          insert into ${t.streams} as s (stream_id, version) values (${t.stream}, ${t.count})
          on conflict (stream_id) do update set version = s.version + ${t.count}
            where s.version = 0 and s.deleted_at is null
          ${returning}
        elsif ${t.expected} = ${ExpectedVersionCode.StreamExists} then
          update ${t.streams} s set version = s.version + ${t.count}
          where s.stream_id = ${t.stream} and s.deleted_at is null
          ${returning}
        else
          update ${t.streams} s set version = s.version + ${t.count}
          where s.stream_id = ${t.stream} and s.version = ${t.expected} and s.deleted_at is null
          ${returning}
        end if;`;
}

/**
 * Payloads on the store's NOTIFY channel. Besides these: the last `$all`
 * position a sweep gave (digits), and a projection's checkpoint
 * (`CHECKPOINT_PAYLOAD_PREFIX`, projections/sql/projections.sql.ts).
 */
/** An append committed without a position yet (inside a caller's transaction): wakes the sequencer. */
export const NOTIFY_WRITE = 'w';
/** A link: links take no `$all` position, so it wakes every stream subscription. */
export const NOTIFY_LINK = 'l';

/**
 * Advisory-lock key spaces. Every lock of the store takes the two-int form
 * (the oid of one of its tables, a number), so that stores in other schemas
 * and other applications never collide; each space uses its own table.
 */
export const LockSpace = {
  /** The `$all` sequencer: (all_positions, 0). */
  sequencer: 'all_positions',
  /** A persistent subscription's owner: (subscriptions, the subscription's id). */
  subscription: 'subscriptions',
  /** An inline projection's appends and rebuilds: (streams, hashtext(projection name)). */
  inlineProjection: 'streams',
  /** A projection's read-model transactions: (parked_events, hashtext(projection name)). */
  projectionApply: 'parked_events',
} as const;

/** The SQL arguments of a two-int advisory lock key: `qualifiedTable` names the key space, `id` is an SQL int expression. */
export function lockKeySql(qualifiedTable: string, id: string): string {
  return `'${qualifiedTable}'::regclass::oid::int, ${id}`;
}

/** The migration lock of a schema: one int key, `hashtext` of this text (held on a connection of its own). */
export function migrationLockName(schema: string): string {
  return `mikro-orm-eventstore:migrate:${schema}`;
}
