/** The bank-account service as a Nest provider: Nest injects its aggregate repository. */
import { Injectable } from '@nestjs/common';
import { AggregateRepository } from 'mikro-orm-eventstore';
import { InjectAggregateRepository } from 'mikro-orm-eventstore/nestjs';
import { BankAccount } from '../bank-account/bank-account';
import { BankAccountService } from '../bank-account/bank-account.service';

@Injectable()
export class BankService extends BankAccountService {
  constructor(@InjectAggregateRepository(BankAccount) accounts: AggregateRepository<BankAccount>) {
    super(accounts);
  }
}
