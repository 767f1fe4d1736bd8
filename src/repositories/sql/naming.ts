import { createHash } from 'node:crypto';
import { quoteSchema } from '../schema-name';

/** Builds qualified table names and prepared-statement names for one schema. */
export class SchemaSql {
  readonly quoted: string;
  private readonly tag: string;

  constructor(readonly schema: string) {
    this.quoted = quoteSchema(schema);
    // Statement names are per connection and may be shared by stores of
    // several schemas on one pool, so they carry the schema.
    this.tag = createHash('sha1').update(schema).digest('hex').slice(0, 10);
  }

  /** `"schema".name` */
  t(name: string): string {
    return `${this.quoted}.${name}`;
  }

  name(statement: string): string {
    return `es_${this.tag}_${statement}`;
  }
}
