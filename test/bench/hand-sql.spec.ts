import { expect } from 'chai';
import * as hand from '../../bench/contenders/hand-sql.sql';
import { SchemaSql } from '../../src/repositories/sql/naming';
import { ReadStatements } from '../../src/repositories/sql/read.sql';
import { sequencerStatements } from '../../src/repositories/sql/sequencer.sql';
import { writeStatements } from '../../src/repositories/sql/write.sql';

/** The statement as the server sees it: schema `public` unquoted, comments dropped, whitespace collapsed. */
const normalized = (text: string) => text.replace(/"public"\./g, 'public.').replace(/--[^\n]*\n/g, '\n').replace(/\s+/g, ' ').trim();

describe('hand SQL contender', () => {
  const schema = new SchemaSql('public');
  const read = new ReadStatements(schema);

  it("runs the library's own read statements, rows as arrays as the library reads them", () => {
    expect(normalized(hand.STREAM_FORWARD.text)).to.equal(normalized(read.streamForward(hand.PAGE).text));
    expect(normalized(hand.ALL_FORWARD.text)).to.equal(normalized(read.allForward().text));
    expect(hand.STREAM_FORWARD.rowMode).to.equal(read.streamForward(hand.PAGE).rowMode);
    expect(hand.ALL_FORWARD.rowMode).to.equal(read.allForward().rowMode);
  });

  it("calls the library's append and sequencer functions as the library does outside a caller's transaction", () => {
    expect(normalized(hand.APPEND.text)).to.equal(normalized(writeStatements(schema).append.text.replace('$9)', 'true)')));
    expect(normalized(hand.SEQUENCE.text)).to.equal(normalized(sequencerStatements(schema).sequence.text));
  });

  it("starts its subscriptions where the library's do: the last `$all` position", () => {
    expect(normalized(hand.LAST_POSITION.text)).to.equal(normalized(sequencerStatements(schema).lastPosition.text));
  });
});
