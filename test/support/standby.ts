/**
 * One hot standby of the suite's PostgreSQL, shared by the replica specs and
 * started on first use (support/standby.ts). A mocha root hook stops it and
 * removes its folder after the run, failed or not.
 *
 * When the primary cannot feed a standby on this machine (a remote
 * DATABASE_URL, replication turned off), `standbyOrSkip` skips the calling
 * suite with the reason, unless REQUIRE_STANDBY is set (CI), where it fails.
 */
import type { Context } from 'mocha';
import { Standby, StandbyUnsupportedError, startStandby } from '../../support/standby';
import { testDatabaseUrl } from './stores';

let shared: Promise<Standby> | undefined;

export function sharedStandby(): Promise<Standby> {
  shared ??= startStandby(testDatabaseUrl(), { embedded: process.env.TEST_DATABASE_EMBEDDED === '1' });
  return shared;
}

/** The shared standby; skips the suite (mocha `before` context) when this primary cannot have one. */
export async function standbyOrSkip(context: Context): Promise<Standby> {
  context.timeout(120_000);
  try {
    return await sharedStandby();
  } catch (error) {
    if (error instanceof StandbyUnsupportedError && !process.env.REQUIRE_STANDBY) {
      process.stdout.write(`      (no standby: ${error.message})\n`);
      context.skip();
    }
    throw error;
  }
}

export const mochaHooks = {
  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    const standby = await shared?.catch(() => undefined);
    shared = undefined;
    await standby?.dispose();
  },
};
