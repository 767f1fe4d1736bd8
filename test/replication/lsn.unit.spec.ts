import { expect } from 'chai';
import { EVERYTHING, formatLsn, maxLsn, parseLsn } from '../../src/replication/lsn';

describe('WAL positions', () => {
  it('parses pg_lsn text into numbers that compare as the server does', () => {
    expect(parseLsn('0/0')).to.equal(0n);
    expect(parseLsn('16/B374D848')).to.equal((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).to.equal(true);
    expect(parseLsn('0/10') > parseLsn('0/F')).to.equal(true);
  });

  it('formats them back as pg_lsn text', () => {
    for (const text of ['0/0', '16/B374D848', 'FFFFFFFF/FFFFFFFF']) expect(formatLsn(parseLsn(text))).to.equal(text);
  });

  it('reads null (a server not in recovery) as having everything', () => {
    expect(parseLsn(null)).to.equal(EVERYTHING);
    expect(maxLsn(parseLsn('FFFFFFFF/FFFFFFFE'), EVERYTHING)).to.equal(EVERYTHING);
  });
});
