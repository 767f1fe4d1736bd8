/**
 * `roles`: an owner that owns the store (and migrates it) and an application
 * role with no DDL rights, under which the whole store runs: appends,
 * reads, persistent subscriptions, projections, personal data.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { EventStore, ExpectedVersion, Handles, Projection, RecordedEvent, DomainEvent, EventSerializer } from '../../src';
import { caught, dropSchema, events, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';
import { lines, runInProcess } from './cli-runner';
import { caughtUp } from '../projections/helpers';
import { waitUntil } from '../subscriptions/helpers';
import { STORE_ENTITIES } from '../../src/entities';

@DomainEvent('RolesSpecTicked')
class Ticked {
  n!: number;
}

const ticks: number[] = [];

@Projection('roles-spec-ticks')
class Ticks {
  @Handles(Ticked) ticked(e: Ticked) {
    ticks.push(e.n);
  }
}

function urlAs(role: string, password: string): string {
  const url = new URL(testDatabaseUrl());
  url.username = role;
  url.password = password;
  return url.toString();
}

describe('cli: roles', function () {
  this.timeout(60_000);
  const tag = randomBytes(3).toString('hex');
  const owner = `es_owner_${tag}`;
  const app = `es_app_${tag}`;
  const password = randomBytes(12).toString('hex');
  const schema = uniqueSchema('roles');
  const args = ['roles', '--schema', schema, '--owner', owner, '--app', app, '--owner-password', password, '--app-password', password];
  let store: EventStore | undefined;

  after(async () => {
    await store?.close();
    await dropSchema(schema);
    await withClient(async (c) => {
      for (const role of [app, owner]) {
        if ((await c.query('select 1 from pg_roles where rolname = $1', [role])).rowCount) {
          await c.query(`drop owned by "${role}" cascade`);
          await c.query(`drop role "${role}"`);
        }
      }
    });
  });

  it('creates the roles, migrates, hands the store to the owner and grants the application its rights', async () => {
    const result = await runInProcess(args);
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.deep.equal([
      `created role ${owner} (with a password)`,
      `created role ${app} (with a password)`,
      `schema ${schema} owned by ${owner}`,
      `schema "${schema}": applied ${lines(result.stdout)[3].match(/applied (\d+)/)?.[1]} migrations`,
      `${owner} owns ${STORE_ENTITIES.length + 1} tables and ${lines(result.stdout)[4].match(/and (\d+) functions/)?.[1]} functions in ${schema}`,
      lines(result.stdout)[5],
    ]);
    expect(lines(result.stdout)[5]).to.match(new RegExp(`^granted ${app}: usage on schema ${schema}; select, insert, update, delete on ${STORE_ENTITIES.length} tables; select on mikro_orm_migrations; usage on \\d+ sequences; execute on \\d+ functions \\(no DDL\\)$`));
    const { rows } = await withClient((c) => c.query(
      `select distinct pg_get_userbyid(relowner) as owner from pg_class where relnamespace = $1::regnamespace and relkind in ('r', 'S')`, [schema]));
    expect(rows).to.deep.equal([{ owner }]);
  });

  it('is idempotent: a second run creates nothing and says so', async () => {
    const result = await runInProcess(['roles', '--schema', schema, '--owner', owner, '--app', app]);
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout).slice(0, 4)).to.deep.equal([`role ${owner} exists`, `role ${app} exists`, `schema ${schema} owned by ${owner}`, `schema "${schema}": no pending migrations`]);
  });

  it('runs appends, reads, a persistent subscription and a projection under the application role', async () => {
    store = await EventStore.connect({ clientUrl: urlAs(app, password), schema, personalData: { masterKey: randomBytes(32) } });
    expect(store.appliedMigrations).to.deep.equal([]);
    await store.appendToStream('s-1', ExpectedVersion.NoStream, events(3));
    expect((await store.readStreamForward('s-1')).map((e) => e.streamVersion)).to.deep.equal([1, 2, 3]);
    expect((await store.readAllForward()).length).to.equal(3);
    await store.recordSnapshot({ sourceId: 's-1', sourceVersion: 3, sourceType: 'T', data: { x: 1 } });
    expect((await store.readSnapshot('s-1')).data).to.deep.equal({ x: 1 });

    const received: RecordedEvent[] = [];
    const sub = await store.subscribeToAllStreams('roles-spec', async (batch, s) => {
      received.push(...batch);
      await s.ack(batch);
    });
    await waitUntil(async () => received.length === 3, 'the subscription received the events', 10_000);
    await sub.unsubscribe();

    await store.appendToStream('ticks', ExpectedVersion.Any, new EventSerializer().serializeAll([1, 2].map((n) => Object.assign(new Ticked(), { n }))));
    const runner = store.projections([Ticks]);
    await runner.start();
    try {
      await caughtUp(runner, 'roles-spec-ticks');
    } finally {
      await runner.stop();
    }
    expect(ticks).to.deep.equal([1, 2]);
    await store.forgetSubject('someone');
  });

  it('cannot create, alter or drop the store\'s tables as the application role', async () => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: urlAs(app, password) });
    await client.connect();
    try {
      for (const sql of [
        `drop table "${schema}".events`,
        `alter table "${schema}".events add column x int`,
        `truncate "${schema}".events`,
        `create table "${schema}".intruder (id int)`,
        `drop schema "${schema}" cascade`,
        `create index on "${schema}".streams (created_at)`,
        `insert into "${schema}".mikro_orm_migrations (name) values ('fake')`,
      ]) {
        const error = await caught(client.query(sql));
        expect(error, sql).to.be.instanceOf(Error);
        expect(error.code, `${sql}: ${error.message}`).to.be.oneOf(['42501']); // insufficient_privilege
      }
    } finally {
      await client.end();
    }
  });

  it('lets the owner alter the store\'s tables (it runs the migrations)', async () => {
    const client = new (await import('pg')).Client({ connectionString: urlAs(owner, password) });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`alter table "${schema}".events add column probe int`);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it('refuses bad role names with a configuration error', async () => {
    for (const bad of [['--owner', 'Bad-Name'], ['--app', 'x"; drop']]) {
      const argv = ['roles', '--schema', schema, '--owner', owner, '--app', app];
      argv[argv.indexOf(bad[0]) + 1] = bad[1];
      const result = await runInProcess(argv);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.match(new RegExp(`^error: invalid ${bad[0]}`));
    }
    const same = await runInProcess(['roles', '--schema', schema, '--owner', owner, '--app', owner]);
    expect(same.stderr).to.contain('must be two different roles');
  });
});
