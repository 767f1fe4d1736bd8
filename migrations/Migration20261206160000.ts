import { Migration } from '@mikro-orm/migrations';

/**
 * Data keys for crypto-shredding: one row per data subject and key
 * generation, the key wrapped by the application's master key; null once
 * the subject is forgotten.
 */
export class Migration20261206160000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "personal_data_keys" ("subject_id" text not null, "generation" int not null, "wrapped_key" bytea null, "created_at" timestamptz not null default now(), "forgotten_at" timestamptz null, constraint "personal_data_keys_pkey" primary key ("subject_id", "generation"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personal_data_keys" cascade;`);
  }
}
