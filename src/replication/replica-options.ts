/** Settings of read replicas (hot standbys), validated and completed once. */
import { InvalidArgumentError } from '../errors';
import { invalidValue, optionalInteger } from '../validation';

/**
 * What a read does when no standby can serve it: the standbys are
 * unreachable, or have not replayed what the read must see (the store's
 * own writes, or what a subscription was woken for) within `timeoutMs`.
 *
 * - `'primary'`: read the primary instead (the default).
 * - `'wait'`: wait for a standby (to catch up, or to come back) up to
 *   `timeoutMs`, then throw `ReplicaTimeoutError`.
 * - `'error'`: throw at once when no standby is reachable
 *   (`ReplicaUnavailableError`), or after `timeoutMs` behind
 *   (`ReplicaTimeoutError`).
 *
 * Subscriptions and projections retry a read that threw, so with `'wait'`
 * and `'error'` they pause until a standby serves them again.
 */
export type ReplicaFallback = 'primary' | 'wait' | 'error';

export interface ReplicaOptions {
  /** Default `'primary'`. */
  fallback?: ReplicaFallback;
  /** How long a read waits for a standby to replay what it must see; default 2000 ms. */
  timeoutMs?: number;
  /** Connections per standby; default 10. */
  poolSize?: number;
  /** How soon a standby that could not be reached is tried again; default 1000 ms. */
  retryAfterMs?: number;
}

export interface ResolvedReplicaOptions {
  urls: string[];
  fallback: ReplicaFallback;
  timeoutMs: number;
  poolSize: number;
  retryAfterMs: number;
}

const FALLBACKS: readonly ReplicaFallback[] = ['primary', 'wait', 'error'];

/** Undefined when no standby is configured. */
export function resolveReplicaOptions(replicaUrl: unknown, options: ReplicaOptions | undefined): ResolvedReplicaOptions | undefined {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidValue('replica', 'an object', options);
  }
  if (replicaUrl === undefined) {
    if (options !== undefined) throw new InvalidArgumentError('replica', 'replica settings without a replicaUrl');
    return undefined;
  }
  const urls = Array.isArray(replicaUrl) ? replicaUrl : [replicaUrl];
  if (urls.length === 0) throw new InvalidArgumentError('replicaUrl', 'expected a connection URL or a non-empty list of them');
  urls.forEach((url, index) => {
    if (typeof url !== 'string' || url.length === 0) {
      throw invalidValue(Array.isArray(replicaUrl) ? `replicaUrl[${index}]` : 'replicaUrl', 'a connection URL', url);
    }
  });
  const fallback = options?.fallback ?? 'primary';
  if (!FALLBACKS.includes(fallback)) {
    throw invalidValue('replica.fallback', `one of ${FALLBACKS.map((f) => JSON.stringify(f)).join(', ')}`, fallback);
  }
  return {
    urls: urls as string[],
    fallback,
    timeoutMs: optionalInteger(options?.timeoutMs ?? 2000, 2000, 0, 'replica.timeoutMs'),
    poolSize: optionalInteger(options?.poolSize ?? 10, 10, 1, 'replica.poolSize'),
    retryAfterMs: optionalInteger(options?.retryAfterMs ?? 1000, 1000, 1, 'replica.retryAfterMs'),
  };
}
