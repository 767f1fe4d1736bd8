import { expect } from 'chai';
import { UiBadRequestError } from '../../src/ui/errors';
import { choiceParam, intParam, streamIdParam, textParam, typesParam, uuidParam } from '../../src/ui/params';
import { describeDatabase, redactSecrets } from '../../src/ui/redact';
import { caughtSync } from '../domain/helpers';

/** The 400 that `fn` throws. */
function badRequest(fn: () => unknown, message: RegExp): void {
  const error = caughtSync(fn);
  expect(error, String(error)).to.be.instanceOf(UiBadRequestError);
  expect([error.code, error.status]).to.deep.equal(['ui_bad_request', 400]);
  expect(error.message).to.match(message);
}

describe('event browser query parameters', () => {
  it('reads integers in range, the fallback when absent or empty', () => {
    expect(intParam({ count: '25' }, 'count', 50, 1, 500)).to.equal(25);
    expect(intParam({}, 'count', 50, 1, 500)).to.equal(50);
    expect(intParam({ count: '' }, 'count', 50, 1, 500)).to.equal(50);
    expect(intParam({ before: '-1' }, 'before', 0, -1)).to.equal(-1);
    badRequest(() => intParam({ count: '999' }, 'count', 50, 1, 500), /^invalid count: expected an integer from 1 to 500, got "999"$/);
    badRequest(() => intParam({ count: '1e3' }, 'count', 50, 1), /invalid count/);
    badRequest(() => intParam({ count: '12345678901234567' }, 'count', 50, 1), /invalid count/);
    badRequest(() => intParam({ before: '-2' }, 'before', 0, -1), /invalid before/);
  });

  it('reads a choice among the allowed values', () => {
    expect(choiceParam({ dir: 'desc' }, 'dir', ['asc', 'desc'], 'asc')).to.equal('desc');
    expect(choiceParam({}, 'dir', ['asc', 'desc'], 'asc')).to.equal('asc');
    badRequest(() => choiceParam({ dir: 'up' }, 'dir', ['asc', 'desc'], 'asc'), /^invalid dir: expected one of asc, desc, got "up"$/);
  });

  it('reads text without control characters, up to a length', () => {
    expect(textParam({ q: 'order' }, 'q')).to.equal('order');
    expect(textParam({}, 'q')).to.equal('');
    badRequest(() => textParam({ q: 'x'.repeat(201) }, 'q'), /at most 200 characters, got 201/);
    badRequest(() => textParam({ q: 'a\nb' }, 'q'), /control characters/);
  });

  it('reads a comma-separated list of event types', () => {
    expect(typesParam({ type: ' A , B' }, 'type')).to.deep.equal(['A', 'B']);
    expect(typesParam({ type: '  ' }, 'type')).to.deep.equal([]);
    badRequest(() => typesParam({ type: 'A,,B' }, 'type'), /expected comma-separated event type names/);
  });

  it('reads uuids (lower-cased) and stream ids from the path', () => {
    expect(uuidParam('0190F3B2-6B1C-7A3E-9F00-1234567890AB', 'id')).to.equal('0190f3b2-6b1c-7a3e-9f00-1234567890ab');
    badRequest(() => uuidParam('not-an-event', 'id'), /^invalid id: expected a uuid, got "not-an-event"$/);
    expect(streamIdParam('order-1')).to.equal('order-1');
    badRequest(() => streamIdParam(''), /1 to 1000 characters/);
    badRequest(() => streamIdParam('x'.repeat(1001)), /1 to 1000 characters/);
    badRequest(() => streamIdParam('$all'), /reserved/);
  });
});

describe('secrets in what the browser shows', () => {
  it('removes the user and password of every postgres URL in a text', () => {
    expect(redactSecrets('failed: postgres://app:s3cret@db:5432/orders and postgresql://u@h/x'))
      .to.equal('failed: postgres://…@db:5432/orders and postgresql://…@h/x');
    expect(redactSecrets('no URL here')).to.equal('no URL here');
  });

  it('describes a database by name and server only', () => {
    expect(describeDatabase('postgres://app:s3cret@db.internal:6543/orders')).to.equal('orders on db.internal:6543');
    expect(describeDatabase('postgres://h')).to.equal('postgres on h');
    expect(describeDatabase('not a url')).to.equal('the database');
  });
});
