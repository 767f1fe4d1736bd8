import { Migration } from '@mikro-orm/migrations';

/**
 * Ownership of persistent subscriptions across processes: a fencing `epoch`
 * (incremented by each new owner; checkpoint writes compare-and-set on it,
 * so a deposed owner can never move the checkpoint), and who owns the
 * subscription now and since when (for `status`; null when nobody does).
 */
export class Migration20261129120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "subscriptions" add column "epoch" bigint not null default 0, add column "owner" text null, add column "owned_since" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "subscriptions" drop column "owned_since", drop column "owner", drop column "epoch";`);
  }
}
