import { migrationSql } from '../test/architecture/migration-sql';
import { Migration20261207140000 } from '../migrations/Migration20261207140000';
migrationSql(Migration20261207140000 as never).then((sql) => console.log(sql));
