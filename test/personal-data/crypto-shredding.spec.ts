/**
 * Crypto-shredding: personal fields are stored sealed under their subject's
 * key (never as plaintext in any row), read back through the domain layer,
 * and read back as null everywhere once the subject is forgotten.
 */
import { expect } from 'chai';
import { Type } from 'class-transformer';
import { randomBytes } from 'node:crypto';
import {
  Aggregate,
  AggregateRoot,
  Apply,
  DataSubject,
  DomainEvent,
  EventSerializer,
  EventStore,
  ExpectedVersion,
  Handles,
  InvalidArgumentError,
  PersonalData,
  PersonalDataKeyError,
  PersonalDataNotConfiguredError,
  Projection,
  ProjectionContext,
  SUBJECT_FORGOTTEN_STREAM,
  SubjectForgotten,
  registerUpcaster,
} from '../../src';
import { caught, connectStore, disposeStore, testDatabaseUrl, withClient } from '../support/stores';
import { caughtUp } from '../projections/helpers';

class PdAddress {
  @PersonalData() street!: string;
  city!: string;
}

@DomainEvent('PdCustomerRegistered', { version: 2 })
class PdCustomerRegistered {
  @DataSubject() customerId!: string;
  @PersonalData() email!: string;
  @PersonalData() name!: { first: string; last: string };
  plan!: string;
  @Type(() => PdAddress) address!: PdAddress;
  @Type(() => PdAddress) previous!: PdAddress[];
}
// v1 stored the name as one string: the upcaster sees it opened (or null once forgotten).
registerUpcaster('PdCustomerRegistered', 1, (data) => ({ ...data, name: data.name === null ? null : { first: data.name.split(' ')[0], last: data.name.split(' ')[1] } }));

@DomainEvent('PdEmailChanged')
class PdEmailChanged {
  @DataSubject() customerId!: string;
  @PersonalData() email!: string;
}

@Aggregate('PdCustomer', { snapshotEvery: 2 })
class PdCustomer extends AggregateRoot {
  email: string | null = null;
  plan = '';
  changes = 0;

  register(email: string): void {
    this.raise(Object.assign(new PdCustomerRegistered(), {
      customerId: this.id, email, name: { first: 'Ada', last: 'L' }, plan: 'gold',
      address: Object.assign(new PdAddress(), { street: '1 Main St', city: 'Oslo' }), previous: [],
    }));
  }

  changeEmail(email: string): void {
    this.raise(Object.assign(new PdEmailChanged(), { customerId: this.id, email }));
  }

  @Apply(PdCustomerRegistered) registered(e: PdCustomerRegistered): void {
    this.email = e.email;
    this.plan = e.plan;
  }

  @Apply(PdEmailChanged) changed(e: PdEmailChanged): void {
    this.email = e.email;
    this.changes++;
  }
}

const serializer = new EventSerializer();
const masterKey = randomBytes(32);

function registered(customerId: string, email: string): PdCustomerRegistered {
  return Object.assign(new PdCustomerRegistered(), {
    customerId, email, name: { first: 'Grace', last: 'Hopper' }, plan: 'basic',
    address: Object.assign(new PdAddress(), { street: `${email} street`, city: 'Arlington' }),
    previous: [Object.assign(new PdAddress(), { street: `${email} old street`, city: 'NYC' })],
  });
}

/** Every row of the store's tables as text: what a database dump would show. */
async function allRowsText(schema: string): Promise<string> {
  return withClient(async (c) => {
    const { rows: tables } = await c.query(`select table_name from information_schema.tables where table_schema = $1`, [schema]);
    let text = '';
    for (const { table_name } of tables) {
      const { rows } = await c.query(`select t::text as row from "${schema}"."${table_name}" t`);
      text += rows.map((r) => r.row).join('\n');
    }
    return text;
  });
}

describe('personal data (crypto-shredding)', function () {
  this.timeout(30_000);
  let store: EventStore;

  before(async () => {
    store = await connectStore('pdata', { personalData: { masterKey } });
  });
  after(() => disposeStore(store));

  it('stores personal fields sealed: no row of any table holds the plaintext', async () => {
    await store.appendToStream('cust-a', ExpectedVersion.NoStream, serializer.serializeAll([registered('a', 'a@secret.example')]));
    const text = await allRowsText(store.schema);
    expect(text).to.contain('basic').and.contain('Arlington'); // what is not personal stays plain
    for (const secret of ['a@secret.example', 'Grace', 'Hopper', 'a@secret.example street', 'old street']) expect(text).not.to.contain(secret);
  });

  it('returns the sealed form from raw reads, and the values through revealPersonalData', async () => {
    await store.appendToStream('cust-b', ExpectedVersion.NoStream, serializer.serializeAll([registered('b', 'b@secret.example')]));
    const [raw] = await store.readStreamForward('cust-b');
    const data = raw.data as Record<string, any>;
    expect(data.customerId).to.equal('b');
    expect(data.email).to.include({ $pd: 1, s: 'b', k: 1 }).and.have.property('c').that.is.a('string');
    expect(data.address.street).to.have.property('$pd', 1);
    expect(data.address.city).to.equal('Arlington');
    expect(data.previous[0].street).to.have.property('$pd', 1);
    const [revealed] = await store.revealPersonalData([raw]);
    expect(revealed.data).to.deep.equal({ ...data, email: 'b@secret.example', name: { first: 'Grace', last: 'Hopper' },
      address: { street: 'b@secret.example street', city: 'Arlington' }, previous: [{ street: 'b@secret.example old street', city: 'NYC' }] });
    expect(raw.data).to.deep.equal(data); // the raw event is not changed
  });

  it('seals later writes for a subject with the same key', async () => {
    for (const email of ['s1@secret.example', 's2@secret.example']) {
      await store.appendToStream('cust-same', ExpectedVersion.Any, serializer.serializeAll([Object.assign(new PdEmailChanged(), { customerId: 'same', email })]));
    }
    const events = await store.readStreamForward('cust-same');
    expect(events.map((e) => (e.data as any).email.k)).to.deep.equal([1, 1]);
    expect((await store.revealPersonalData(events)).map((e) => (e.data as any).email)).to.deep.equal(['s1@secret.example', 's2@secret.example']);
    const { rows } = await withClient((c) => c.query(`select count(*)::int as n from "${store.schema}".personal_data_keys where subject_id = 'same'`));
    expect(rows[0].n).to.equal(1);
  });

  it('seals raw appends of a registered event type too', async () => {
    await store.appendToStream('cust-raw', ExpectedVersion.Any, [{ eventType: 'PdEmailChanged', data: { customerId: 'raw', email: 'raw@secret.example' } }]);
    expect(await allRowsText(store.schema)).not.to.contain('raw@secret.example');
    const [event] = await store.revealPersonalData(await store.readStreamForward('cust-raw'));
    expect(event.data).to.deep.equal({ customerId: 'raw', email: 'raw@secret.example' });
  });

  it('reads personal fields back as null once the subject is forgotten; other subjects are unaffected', async () => {
    await store.appendToStream('cust-c', ExpectedVersion.NoStream, serializer.serializeAll([registered('c', 'c@secret.example')]));
    await store.appendToStream('cust-d', ExpectedVersion.NoStream, serializer.serializeAll([registered('d', 'd@secret.example')]));
    await store.forgetSubject('c');
    const [c] = await store.revealPersonalData(await store.readStreamForward('cust-c'));
    expect(c.data).to.deep.include({ customerId: 'c', email: null, name: null, plan: 'basic' });
    expect((c.data as any).address).to.deep.equal({ street: null, city: 'Arlington' });
    const instance = serializer.deserialize(c) as PdCustomerRegistered;
    expect(instance).to.be.instanceOf(PdCustomerRegistered);
    expect(instance.email).to.equal(null);
    expect(instance.address).to.be.instanceOf(PdAddress).and.include({ street: null, city: 'Arlington' });
    const [d] = await store.revealPersonalData(await store.readStreamForward('cust-d'));
    expect((d.data as any).email).to.equal('d@secret.example');
  });

  it('appends one SubjectForgotten event per forget; forgetting again does nothing', async () => {
    const before = await store.readStreamForward(SUBJECT_FORGOTTEN_STREAM).catch(() => []);
    await store.forgetSubject('e-never-seen');
    await store.forgetSubject('e-never-seen');
    await store.appendToStream('cust-f', ExpectedVersion.NoStream, serializer.serializeAll([registered('f', 'f@secret.example')]));
    await store.forgetSubject('f');
    await store.forgetSubject('f');
    const after = await store.readStreamForward(SUBJECT_FORGOTTEN_STREAM);
    const added = after.slice(before.length);
    expect(added.map((e) => [e.eventType, e.data])).to.deep.equal([['$SubjectForgotten', { subjectId: 'e-never-seen' }], ['$SubjectForgotten', { subjectId: 'f' }]]);
    expect(serializer.deserialize(added[1])).to.be.instanceOf(SubjectForgotten).and.include({ subjectId: 'f' });
    const { rows } = await withClient((c) => c.query(`select generation, wrapped_key is null as destroyed from "${store.schema}".personal_data_keys where subject_id = 'f'`));
    expect(rows).to.deep.equal([{ generation: 1, destroyed: true }]);
  });

  it('gives a forgotten subject a new key on a later write: the new data is readable, the old stays null', async () => {
    await store.appendToStream('cust-g', ExpectedVersion.NoStream, serializer.serializeAll([registered('g', 'old-g@secret.example')]));
    await store.forgetSubject('g');
    await store.appendToStream('cust-g', ExpectedVersion.Any, serializer.serializeAll([Object.assign(new PdEmailChanged(), { customerId: 'g', email: 'new-g@secret.example' })]));
    const events = await store.revealPersonalData(await store.readStreamForward('cust-g'));
    expect(events.map((e) => (e.data as any).email)).to.deep.equal([null, 'new-g@secret.example']);
    expect((events[1].data as any)).to.deep.equal({ customerId: 'g', email: 'new-g@secret.example' });
    const { rows } = await withClient((c) => c.query(
      `select generation, wrapped_key is null as destroyed from "${store.schema}".personal_data_keys where subject_id = 'g' order by generation`));
    expect(rows).to.deep.equal([{ generation: 1, destroyed: true }, { generation: 2, destroyed: false }]);
    expect(await allRowsText(store.schema)).not.to.contain('new-g@secret.example');
  });

  it('runs upcasters on the opened data, and on null once forgotten', async () => {
    const v1 = { customerId: 'h', email: 'h@secret.example', name: 'Alan Turing', plan: 'old', address: { street: 'x', city: 'y' }, previous: [] };
    await store.appendToStream('cust-h', ExpectedVersion.NoStream, [{ eventType: 'PdCustomerRegistered', data: v1, metadata: { schemaVersion: 1 } }]);
    expect(await allRowsText(store.schema)).not.to.contain('Alan Turing');
    const read = async () => serializer.deserialize((await store.revealPersonalData(await store.readStreamForward('cust-h')))[0]) as PdCustomerRegistered;
    expect((await read()).name).to.deep.equal({ first: 'Alan', last: 'Turing' });
    await store.forgetSubject('h');
    expect((await read()).name).to.equal(null);
  });

  describe('aggregates and snapshots', () => {
    const customers = () => store.aggregateRepository(PdCustomer);

    it('loads personal fields; snapshots are sealed, and ignored then deleted once the subject is forgotten', async () => {
      const customer = customers().create('agg-1');
      customer.register('agg-1@secret.example');
      customer.changeEmail('agg-1-new@secret.example');
      await customers().save(customer); // version 2: a snapshot
      const snapshot = await store.readSnapshot('PdCustomer-agg-1');
      expect(snapshot.metadata).to.deep.include({ personalDataSubjects: ['agg-1'] });
      expect(snapshot.data).to.have.property('$pd', 1);
      expect(await allRowsText(store.schema)).not.to.contain('agg-1-new@secret.example');

      const loaded = await customers().load('agg-1');
      expect(loaded).to.include({ email: 'agg-1-new@secret.example', plan: 'gold', changes: 1, version: 2 });

      await store.forgetSubject('agg-1');
      expect(await caught(store.readSnapshot('PdCustomer-agg-1'))).to.have.property('code', 'snapshot_not_found');
      const forgotten = await customers().load('agg-1');
      expect(forgotten).to.include({ email: null, plan: 'gold', changes: 1, version: 2 });
    });

    it('ignores a sealed snapshot whose key was destroyed, and takes no snapshot for a subject forgotten since the load', async () => {
      const customer = customers().create('agg-2');
      customer.register('agg-2@secret.example');
      customer.changeEmail('agg-2b@secret.example');
      await customers().save(customer);
      const loaded = await customers().load('agg-2');
      // The key is destroyed behind the repository's back (the snapshot row stays): the load rebuilds from the events.
      await withClient((c) => c.query(`update "${store.schema}".personal_data_keys set wrapped_key = null where subject_id = 'agg-2'`));
      expect(await store.readSnapshot('PdCustomer-agg-2')).to.have.property('sourceVersion', 2);
      expect(await customers().load('agg-2')).to.include({ email: null, changes: 1, version: 2 });
      // The aggregate loaded before still holds the plaintext: its next snapshot is not taken.
      loaded.changeEmail('agg-2c@secret.example');
      loaded.changeEmail('agg-2d@secret.example');
      await customers().save(loaded);
      expect(await store.readSnapshot('PdCustomer-agg-2')).to.have.property('sourceVersion', 2);
      expect(await allRowsText(store.schema)).not.to.contain('agg-2b@secret.example');
    });

    it('other subjects\' aggregates and snapshots are unaffected', async () => {
      for (const id of ['agg-3', 'agg-4']) {
        const customer = customers().create(id);
        customer.register(`${id}@secret.example`);
        customer.changeEmail(`${id}-2@secret.example`);
        await customers().save(customer);
      }
      await store.forgetSubject('agg-3');
      expect(await store.readSnapshot('PdCustomer-agg-4')).to.have.property('sourceVersion', 2);
      expect(await customers().load('agg-4')).to.include({ email: 'agg-4-2@secret.example', changes: 1 });
      expect(await customers().load('agg-3')).to.include({ email: null, changes: 1 });
    });
  });

  describe('projections', () => {
    const seen = new Map<string, string | null>();

    @Projection('pd-emails')
    class Emails {
      @Handles(PdCustomerRegistered) registered(e: PdCustomerRegistered) {
        seen.set(e.customerId, e.email);
      }

      @Handles(PdEmailChanged) changed(e: PdEmailChanged) {
        seen.set(e.customerId, e.email);
      }

      @Handles(SubjectForgotten) forgotten(e: SubjectForgotten, _ctx: ProjectionContext) {
        seen.delete(e.subjectId);
      }
    }

    it('see the opened values, null for forgotten subjects, and SubjectForgotten to clean up', async () => {
      await store.appendToStream('cust-p1', ExpectedVersion.NoStream, serializer.serializeAll([registered('p1', 'p1@secret.example')]));
      await store.appendToStream('cust-p2', ExpectedVersion.NoStream, serializer.serializeAll([registered('p2', 'p2@secret.example')]));
      await store.forgetSubject('p2');
      // p2 is seen as null first (its key is gone before the projection reads), then removed.
      const runner = store.projections([Emails]);
      const values: Array<string | null | undefined> = [];
      const original = Emails.prototype.registered;
      Emails.prototype.registered = function (this: Emails, e: PdCustomerRegistered) {
        if (e.customerId === 'p2') values.push(e.email);
        original.call(this, e);
      };
      try {
        await runner.start();
        await caughtUp(runner, 'pd-emails');
      } finally {
        Emails.prototype.registered = original;
        await runner.stop();
      }
      expect(values).to.deep.equal([null]);
      expect(seen.get('p1')).to.equal('p1@secret.example');
      expect(seen.has('p2')).to.equal(false);
    });

    it('see the opened values when a parked event is replayed', async () => {
      const applied: Array<string | null> = [];
      let poisoned = true;
      @Projection('pd-parked-emails', { maxAttempts: 1, poisonEvents: 'park' })
      class ParkedEmails {
        @Handles(PdEmailChanged) changed(e: PdEmailChanged) {
          if (e.customerId !== 'parked') return;
          if (poisoned) throw new Error('not yet');
          applied.push(e.email);
        }
      }
      await store.appendToStream('cust-parked', ExpectedVersion.NoStream, serializer.serializeAll([Object.assign(new PdEmailChanged(), { customerId: 'parked', email: 'parked@secret.example' })]));
      const runner = store.projections([ParkedEmails], { retryDelayMs: 5, onError: () => undefined });
      try {
        await runner.start();
        await caughtUp(runner, 'pd-parked-emails');
        expect(await runner.parked('pd-parked-emails')).to.have.length(1);
        poisoned = false;
        expect(await runner.replayParked('pd-parked-emails')).to.include({ replayed: 1, failed: 0 });
      } finally {
        await runner.stop();
      }
      expect(applied).to.deep.equal(['parked@secret.example']);
    });
  });

  describe('inline projections', () => {
    const inlineSeen: Array<{ email: string | null; raw: unknown }> = [];

    @Projection('pd-inline-emails', { inline: true })
    class InlineEmails {
      @Handles(PdEmailChanged) changed(e: PdEmailChanged, ctx: ProjectionContext) {
        inlineSeen.push({ email: e.email, raw: (ctx.event.data as Record<string, unknown>).email });
      }
    }

    it('see the opened values in the appending transaction, while the stored row holds the sealed form', async () => {
      const runner = store.projections([InlineEmails]);
      await runner.start();
      try {
        await store.appendToStream('cust-inline', ExpectedVersion.NoStream, serializer.serializeAll([Object.assign(new PdEmailChanged(), { customerId: 'inline', email: 'inline@secret.example' })]));
      } finally {
        await runner.stop();
      }
      expect(inlineSeen).to.deep.equal([{ email: 'inline@secret.example', raw: 'inline@secret.example' }]);
      expect(await allRowsText(store.schema)).not.to.contain('inline@secret.example');
    });
  });

  describe('configuration and keys', () => {
    it('refuses an event with personal data in a store without a master key, and writes nothing', async () => {
      const plain = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema });
      try {
        const error = await caught(plain.appendToStream('cust-x', ExpectedVersion.Any, serializer.serializeAll([registered('x', 'x@secret.example')])));
        expect(error).to.be.instanceOf(PersonalDataNotConfiguredError);
        expect(error.code).to.equal('personal_data_not_configured');
        expect(await caught(plain.streamInfo('cust-x'))).to.have.property('code', 'stream_not_found');
        expect(await caught(plain.revealPersonalData(await plain.readStreamForward('cust-d')))).to.be.instanceOf(PersonalDataNotConfiguredError);
      } finally {
        await plain.close();
      }
    });

    it('refuses another master key with PersonalDataKeyError when the store starts', async () => {
      const error = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema, personalData: { masterKey: randomBytes(32) } }));
      expect(error).to.be.instanceOf(PersonalDataKeyError);
      expect(error.code).to.equal('personal_data_key_invalid');
    });

    it('takes the master key as base64 text, and refuses keys that are not 32 bytes', async () => {
      const other = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema, personalData: { masterKey: masterKey.toString('base64') } });
      try {
        const [d] = await other.revealPersonalData(await other.readStreamForward('cust-d'));
        expect((d.data as any).email).to.equal('d@secret.example');
      } finally {
        await other.close();
      }
      for (const bad of [randomBytes(16), randomBytes(33), 'too short', 'x'.repeat(44), 42, null]) {
        const error = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema, personalData: { masterKey: bad as never } }));
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error.argument).to.equal('personalData.masterKey');
      }
      const both = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema,
        personalData: { masterKey, keyProvider: { wrapKey: (k: Buffer) => k, unwrapKey: (k: Buffer) => k } } as never }));
      expect(both).to.be.instanceOf(InvalidArgumentError).and.have.property('argument', 'personalData');
    });

    it('uses a key provider (a KMS) instead of a master key', async () => {
      const calls: string[] = [];
      const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));
      const provider = {
        wrapKey: async (key: Buffer, ctx: { subjectId: string }) => { calls.push(`wrap ${ctx.subjectId}`); return xor(key); },
        unwrapKey: async (key: Buffer, ctx: { subjectId: string }) => { calls.push(`unwrap ${ctx.subjectId}`); return xor(key); },
      };
      const kms = await connectStore('pdata_kms', { personalData: { keyProvider: provider } });
      try {
        await kms.appendToStream('cust-k', ExpectedVersion.NoStream, serializer.serializeAll([registered('k', 'k@secret.example')]));
        const [k] = await kms.revealPersonalData(await kms.readStreamForward('cust-k'));
        expect((k.data as any).email).to.equal('k@secret.example');
        expect(calls).to.deep.equal(['wrap k', 'unwrap k']);
      } finally {
        await disposeStore(kms);
      }
    });

    it('refuses an event with personal fields and no subject, naming the field, and writes nothing', async () => {
      for (const customerId of [undefined, '', 7]) {
        const error = await caught(store.appendToStream('cust-y', ExpectedVersion.Any, [{ eventType: 'PdEmailChanged', data: { customerId, email: 'y@secret.example' } }]));
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error.argument).to.equal('events[0].data.customerId');
      }
      expect(await caught(store.streamInfo('cust-y'))).to.have.property('code', 'stream_not_found');
      const { rows } = await withClient((c) => c.query(`select count(*)::int as n from "${store.schema}".personal_data_keys where subject_id = 'y'`));
      expect(rows[0].n).to.equal(0);
    });

    it('refuses a bad append before any key is created', async () => {
      const error = await caught(store.appendToStream('$bad', ExpectedVersion.Any, serializer.serializeAll([registered('z', 'z@secret.example')])));
      expect(error).to.be.instanceOf(InvalidArgumentError).and.have.property('argument', 'streamId');
      const { rows } = await withClient((c) => c.query(`select count(*)::int as n from "${store.schema}".personal_data_keys where subject_id = 'z'`));
      expect(rows[0].n).to.equal(0);
    });

    it('refuses bad subject ids in forgetSubject', async () => {
      for (const bad of ['', 3, null, 'a\u0000', '\ud800']) {
        const error = await caught(store.forgetSubject(bad as never));
        expect(error).to.be.instanceOf(InvalidArgumentError).and.have.property('argument', 'subjectId');
      }
    });
  });
});
