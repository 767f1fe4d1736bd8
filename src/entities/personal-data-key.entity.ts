import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One data key of a data subject (crypto-shredding, see src/personal-data).
 * The key is stored wrapped (encrypted) by the application's master key or
 * key provider. Forgetting the subject sets `wrappedKey` to null for good; a
 * later write for the subject gets a key of the next generation, so data
 * sealed under a forgotten key stays unreadable.
 */
@Entity({ tableName: 'personal_data_keys' })
export class PersonalDataKeyEntity {
  @PrimaryKey({ type: 'text' })
  subjectId!: string;

  @PrimaryKey({ type: 'integer' })
  generation!: number;

  /** The data key wrapped by the key provider; null once the subject is forgotten. */
  @Property({ type: 'blob', nullable: true })
  wrappedKey?: Buffer | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;

  @Property({ type: 'timestamptz', nullable: true })
  forgottenAt?: Date | null;
}
