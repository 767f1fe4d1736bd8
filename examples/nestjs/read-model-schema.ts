/** Creates the read model's table when the application starts, before the projection runs. */
import { MikroORM } from '@mikro-orm/core';
import { Injectable, OnModuleInit } from '@nestjs/common';

export const READ_MODEL_SCHEMA = 'bank_nest';

@Injectable()
export class ReadModelSchema implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  async onModuleInit(): Promise<void> {
    await this.orm.schema.updateSchema({ schema: READ_MODEL_SCHEMA });
  }
}
