import { expect } from 'chai';
import { types as pgTypes } from 'pg';
import { parseTimestamptz } from '../../src/repositories/timestamp-parser';

const general = pgTypes.getTypeParser(1184, 'text') as (value: string) => Date;

describe('timestamptz parsing', () => {
  const samples = [
    '2026-11-29 10:15:54.123456+00',
    '2026-11-29 10:15:54+00',
    '2026-11-29 10:15:54.1+00',
    '2026-11-29 10:15:54.999999+00',
    '2026-02-28 23:59:59.5-03:30',
    '2026-12-31 23:59:59.000001+05:45',
    '1970-01-01 00:00:00+00',
    '2000-06-15 12:00:00.250+01',
    '1901-01-01 00:00:00-00:19:32',
    '0044-03-15 12:00:00+00 BC',
    'infinity',
    '-infinity',
    // Not the ISO DateStyle, or not well formed: the general parser decides.
    'Sun Nov 29 10:15:54.123 2026 UTC',
    '2026-11-29T10:15:54+00',
    '2026-11-29 10:15:54.123+0530',
    '2026-11-29 1a:15:54+00',
    '2026-11-29 10:15:54',
  ];

  for (const sample of samples) {
    it(`reads ${sample} as the general parser does`, () => {
      // The general parser gives a Date, or the input itself for infinity.
      const value = (d: unknown) => (d instanceof Date ? (Number.isNaN(d.getTime()) ? 'invalid' : d.getTime()) : d);
      expect(value(parseTimestamptz(sample))).to.deep.equal(value(general(sample)));
    });
  }
});
