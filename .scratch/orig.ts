import { migrationSql } from '/work/wt/arch2/test/architecture/migration-sql';
import { Migration20261207100000 } from '/work/wt/arch2/.scratch/orig100';
migrationSql(Migration20261207100000 as never).then((sql) => console.log(sql));
