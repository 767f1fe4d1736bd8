/**
 * WAL positions (`pg_lsn`, written `16/B374D848`) as bigints, so that they
 * compare in JavaScript without a round trip.
 */
export type Lsn = bigint;

/** Larger than any position: a server that is not in recovery has everything it will ever show. */
export const EVERYTHING: Lsn = (1n << 64n) - 1n;

export function parseLsn(text: string | null): Lsn {
  if (text === null) return EVERYTHING;
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}
