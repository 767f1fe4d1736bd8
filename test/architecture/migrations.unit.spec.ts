import { expect } from 'chai';
import { MIGRATIONS } from '../../migrations';
import { migrationSql, sha256 } from './migration-sql';

/**
 * Databases in the field have run these migrations: what they create must
 * never change. Their SQL takes its codes from src/protocol.ts, so a change
 * there would change it; these are the fingerprints of the SQL as released.
 */
const RELEASED: Record<string, string> = {
  Migration20261129102228: '930e95d129e19bd6fd151929b7b14806c9408161ec28839d80ef66dbbfe6bca4',
  Migration20261129103000: 'b74ab0bca6216b39511b60ef8cde6a845a3621e03f0c3e8787fb953168570b49',
  Migration20261129120000: '8318952fa6cae995d262a95588a4c154b78cdc390f0db50696a56a11d6d7fea2',
  Migration20261206110000: 'f245510fba4bfed0cad76ae90f425bc062d87824e5a46cb0f3724db0b0681a28',
  Migration20261206120000: '1e24f44b3699741184203a9e98d8d0aef5924b75b39fbf0034eb9df76a6b3609',
  Migration20261206140000: '4dbc71a0d1d619f9d494bc2cde1701949af69db6f506f9a253748a58800409e1',
  Migration20261206145000: '0973fcc17b0e376df5d2174dc730068be83a10c6779f7cd6c99f27fa704288c4',
  Migration20261206160000: 'df5ede4a7fd1b6d033c2d39680d5463a7d4023677d5c76c5f06c4f4358508944',
  Migration20261206165000: '1059db721926e52d43423425e1c602df7bf6c55d225979d35cbb8833e7f8b8b8',
};

describe('released migrations', () => {
  for (const [name, fingerprint] of Object.entries(RELEASED)) {
    it(`${name} produces the SQL it was released with`, async () => {
      const migration = MIGRATIONS.find((entry) => entry.name === name);
      expect(migration, name).to.not.equal(undefined);
      expect(sha256(await migrationSql(migration!.class as never))).to.equal(fingerprint);
    });
  }

  it('notices a changed statement', async () => {
    const [first] = MIGRATIONS;
    class Changed extends (first.class as unknown as new (...args: never[]) => { up(): Promise<void>; addSql(sql: string): void }) {
      override async up(): Promise<void> {
        await super.up();
        this.addSql('select 1');
      }
    }
    expect(sha256(await migrationSql(Changed as never))).to.not.equal(RELEASED[first.name]);
  });
});
