import { Migration } from '@mikro-orm/migrations';

/**
 * A projection's failure, stored with its row so that every process sees
 * it (`runner.status`, the CLI's `status`): when it stopped, the error's
 * message and code, and the `$all` position of the event it failed at.
 * Null when it has not failed (a successful restart clears them).
 */
export class Migration20261206110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "subscriptions" add column "failed_at" timestamptz null, add column "failure_message" text null, add column "failure_code" text null, add column "failed_position" bigint null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "subscriptions" drop column "failed_position", drop column "failure_code", drop column "failure_message", drop column "failed_at";`);
  }
}
