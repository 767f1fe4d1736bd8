/**
 * A persistent subscription reacting to events: it watches `$all` for large
 * withdrawals and raises an alert. It resumes after its last acknowledged
 * event when the application restarts, and runs in one process at a time.
 */
import { EventStore, RecordedEvent, Subscription } from 'mikro-orm-eventstore';

export const LARGE_WITHDRAWAL = 100;

export async function startLargeWithdrawalAlerts(store: EventStore, alert: (line: string) => void): Promise<Subscription> {
  return store.subscribeToAllStreams('large-withdrawal-alerts', async (events, subscription) => {
    for (const event of events) {
      const { accountId, amount } = event.data as { accountId: string; amount: number };
      alert(`ALERT: ${amount} withdrawn from ${accountId} (event #${event.position})`);
    }
    await subscription.ack(events);
  }, {
    selector: (event: RecordedEvent) =>
      event.eventType === 'MoneyWithdrawn' && (event.data as { amount: number }).amount >= LARGE_WITHDRAWAL,
  });
}
