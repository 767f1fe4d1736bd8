import { expect } from 'chai';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConnectionError, EventStore, EventStoreError } from '../../src';
import { randomBytes } from 'node:crypto';
import { caught, testDatabaseUrl, withClient } from '../support/stores';

const PASSWORD = 'n0t-Th1s-s3cret';
/** A role of this test with that password, so that the server accepts the login whatever its auth method. */
const ROLE = `t_conn_${randomBytes(4).toString('hex')}`;

/** The test server's URL as that role, with another port or database. */
function urlWith(change: { port?: string; database?: string }): string {
  const url = new URL(testDatabaseUrl());
  url.username = ROLE;
  url.password = PASSWORD;
  if (change.port) url.port = change.port;
  if (change.database) url.pathname = `/${change.database}`;
  return url.toString();
}

function expectNoPassword(error: Error): void {
  expect(error.message).to.not.contain(PASSWORD);
  expect(String(error.stack)).to.not.contain(PASSWORD);
  expect(String((error.cause as Error | undefined)?.message)).to.not.contain(PASSWORD);
}

describe('connection failures', () => {
  let server: URL;
  before(async () => {
    server = new URL(testDatabaseUrl());
    await withClient((c) => c.query(`create role ${ROLE} login password '${PASSWORD}'`));
  });
  after(() => withClient((c) => c.query(`drop role if exists ${ROLE}`)));

  it('connect() to a port nobody listens on: ConnectionError naming host, port and database, not the password', async () => {
    const error = await caught(EventStore.connect({ clientUrl: urlWith({ port: '1' }) }));
    expect(error).to.be.instanceOf(ConnectionError).and.to.be.instanceOf(EventStoreError);
    expect(error).to.include({ code: 'connection_failed', host: server.hostname, port: 1, database: server.pathname.slice(1) });
    expect(error.message).to.equal(`Cannot connect to PostgreSQL at ${server.hostname}:1, database ${JSON.stringify(server.pathname.slice(1))}: connect ECONNREFUSED`);
    expect((error.cause as { code?: string }).code).to.equal('ECONNREFUSED');
    expectNoPassword(error);
  });

  it('connect() to a database that does not exist: ConnectionError with the server\'s reason', async () => {
    const database = 'no_such_database_for_this_test';
    const error = await caught(EventStore.connect({ clientUrl: urlWith({ database }) }));
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error).to.include({ host: server.hostname, port: Number(server.port || 5432), database });
    expect(error.message).to.contain(`database "${database}" does not exist`);
    expect((error.cause as { code?: string }).code).to.equal('3D000');
    expectNoPassword(error);
  });

  it("a store joining an application's MikroORM that cannot connect: ConnectionError on start()", async () => {
    const orm = await MikroORM.init({ clientUrl: urlWith({ port: '1' }), entities: [], discovery: { warnWhenNoEntities: false }, debug: false, ensureDatabase: false,
      logger: () => undefined });
    try {
      const error = await caught(new EventStore(orm, { schema: 'never_created' }).start());
      expect(error).to.be.instanceOf(ConnectionError);
      expect(error).to.include({ host: server.hostname, port: 1 });
      expectNoPassword(error);
    } finally {
      await orm.close(true);
    }
  });
});
