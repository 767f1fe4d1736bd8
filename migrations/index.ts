import { Migration20261129102228 } from './Migration20261129102228';
import { Migration20261129103000 } from './Migration20261129103000';
import { Migration20261129120000 } from './Migration20261129120000';
import { Migration20261206110000 } from './Migration20261206110000';
import { Migration20261206120000 } from './Migration20261206120000';
import { Migration20261206140000 } from './Migration20261206140000';
import { Migration20261206145000 } from './Migration20261206145000';
import { Migration20261206160000 } from './Migration20261206160000';
import { Migration20261206165000 } from './Migration20261206165000';
import { Migration20261207100000 } from './Migration20261207100000';
import { Migration20261207110000 } from './Migration20261207110000';
import { Migration20261207130000 } from './Migration20261207130000';
import { Migration20261207140000 } from './Migration20261207140000';

/**
 * Every migration, in order. The store runs them from this list rather than
 * from a folder, so they are found wherever the package is installed.
 */
export const MIGRATIONS = [
  { name: 'Migration20261129102228', class: Migration20261129102228 },
  { name: 'Migration20261129103000', class: Migration20261129103000 },
  { name: 'Migration20261129120000', class: Migration20261129120000 },
  { name: 'Migration20261206110000', class: Migration20261206110000 },
  { name: 'Migration20261206120000', class: Migration20261206120000 },
  { name: 'Migration20261206140000', class: Migration20261206140000 },
  { name: 'Migration20261206145000', class: Migration20261206145000 },
  { name: 'Migration20261206160000', class: Migration20261206160000 },
  { name: 'Migration20261206165000', class: Migration20261206165000 },
  { name: 'Migration20261207100000', class: Migration20261207100000 },
  { name: 'Migration20261207110000', class: Migration20261207110000 },
  { name: 'Migration20261207130000', class: Migration20261207130000 },
  { name: 'Migration20261207140000', class: Migration20261207140000 },
];
