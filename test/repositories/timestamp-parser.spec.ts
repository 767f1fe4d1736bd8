import { expect } from 'chai';
import { types as pgTypes } from 'pg';
import { parseTimestamptz } from '../../src/repositories/timestamp-parser';
import { withClient } from '../support/stores';

const general = pgTypes.getTypeParser(1184, 'text') as (value: string) => Date;

// The parser's own cases are in timestamp-parser.unit.spec.ts; this one needs the server's output.
describe('timestamptz parsing of server output', () => {
  it('reads what the server prints in several time zones the same as the general parser', async () => {
    await withClient(async (c) => {
      for (const zone of ['UTC', 'Asia/Kathmandu', 'America/St_Johns', 'Europe/Amsterdam']) {
        await c.query(`set timezone = '${zone}'`);
        const { rows } = await c.query(`select (timestamptz '2026-11-29 10:15:54.123456+00' + make_interval(days => g, secs => g * 1.000137))::text as t
                                        from generate_series(0, 200) g`);
        for (const { t } of rows) expect(parseTimestamptz(t).getTime(), t).to.equal(general(t).getTime());
      }
    });
  });
});
