/**
 * `@BigIntField()`: JSON has no bigint, and class-transformer leaves bigints
 * as they are (JSON.stringify then fails). The property is stored as a
 * decimal string and read back as a bigint; arrays of bigints too.
 */
import { Transform } from 'class-transformer';

export function BigIntField(): PropertyDecorator {
  const toPlain = Transform(({ value }) => mapBigInts(value, (v) => (typeof v === 'bigint' ? v.toString() : v)), { toPlainOnly: true });
  const toClass = Transform(({ value }) => mapBigInts(value, toBigInt), { toClassOnly: true });
  return (target, property) => {
    toPlain(target, property);
    toClass(target, property);
  };
}

function mapBigInts(value: unknown, convert: (v: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(convert) : convert(value);
}

function toBigInt(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}
