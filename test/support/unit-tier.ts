/**
 * Loaded by `npm run test:unit` (.mocharc.unit.json) instead of the global
 * database fixture: the unit tier runs without PostgreSQL. The test
 * database's URL is cleared, so a unit spec that tries to reach a server
 * fails at once (support/stores.ts `testDatabaseUrl`) instead of waiting on one.
 */
delete process.env.TEST_DATABASE_URL;
