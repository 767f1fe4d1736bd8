import { expect } from 'chai';
import { ConnectionError } from '../../src';
import { connectionFailure } from '../../src/store/connection-errors';

const server = { host: 'db.internal', port: 6543, database: 'orders' };

describe('connection failures', () => {
  it('turns a refused connection into a ConnectionError naming host, port and database', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6543'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const error = connectionFailure(cause, server)!;
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.code).to.equal('connection_failed');
    expect(error.message).to.equal('Cannot connect to PostgreSQL at db.internal:6543, database "orders": connect ECONNREFUSED');
    expect(error.cause).to.equal(cause);
  });

  it('keeps the server\'s own reason (first line) for refusals by the server', () => {
    const cause = { code: '28P01', message: 'password authentication failed for user "app"\nDETAIL: more' };
    expect(connectionFailure(cause, server)!.message).to.match(/: password authentication failed for user "app"$/);
    for (const code of ['3D000', '57P03', '53300', '08006', '28000', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN']) {
      expect(connectionFailure({ code, message: 'x' }, server), code).to.be.instanceOf(ConnectionError);
    }
  });

  it('leaves statement failures alone', () => {
    for (const error of [{ code: '23505', message: 'duplicate key' }, { code: '42P01' }, new Error('plain'), null, undefined, 'text']) {
      expect(connectionFailure(error, server)).to.equal(undefined);
    }
  });

  it('fills in localhost and 5432 when the settings do not say', () => {
    const error = connectionFailure({ code: 'ECONNREFUSED' }, {})!;
    expect([error.host, error.port, error.database]).to.deep.equal(['localhost', 5432, '']);
    expect(connectionFailure({ code: 'ECONNREFUSED' }, { host: '', port: 'x' })!.port).to.equal(5432);
    expect(connectionFailure({ code: 'ECONNREFUSED' }, { port: '5433' })!.port).to.equal(5433);
  });
});
