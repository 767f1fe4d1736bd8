/**
 * The large-withdrawal alerts as a persistent subscription provider: the
 * module subscribes it when the application starts (it resumes after its last
 * acknowledged event) and unsubscribes it when the application closes.
 */
import { Injectable } from '@nestjs/common';
import { RecordedEvent, Subscription } from 'mikro-orm-eventstore';
import { EventStoreSubscription, EventStoreSubscriptionHandler } from 'mikro-orm-eventstore/nestjs';
import { LARGE_WITHDRAWAL } from '../bank-account/alerts';

@EventStoreSubscription('large-withdrawal-alerts', {
  selector: (event) => event.eventType === 'MoneyWithdrawn' && (event.data as { amount: number }).amount >= LARGE_WITHDRAWAL,
})
@Injectable()
export class LargeWithdrawalAlerts implements EventStoreSubscriptionHandler {
  readonly alerts: string[] = [];

  async handle(events: RecordedEvent[], subscription: Subscription): Promise<void> {
    for (const event of events) {
      const { accountId, amount } = event.data as { accountId: string; amount: number };
      this.alerts.push(`ALERT: ${amount} withdrawn from ${accountId} (event #${event.position})`);
    }
    await subscription.ack(events);
  }
}
