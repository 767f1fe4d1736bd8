import { Migration } from '@mikro-orm/migrations';

/**
 * Filtered `$all` reads by event type: per `$all` range, one probe of this
 * index finds the range's events of the wanted types without touching the
 * others, so a skipped event costs an index entry, not a heap row.
 */
export class Migration20261206140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "events_event_type_stream_ref_stream_version_index" on "events" ("event_type", "stream_ref", "stream_version");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "events_event_type_stream_ref_stream_version_index";`);
  }
}
