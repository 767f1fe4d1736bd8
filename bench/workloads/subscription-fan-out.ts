/**
 * commanded's "subscribe to all streams": 1/10/20/50 persistent `$all`
 * subscriptions are live while 10,000 events are appended (100-event
 * appends from 10 writers; 5,000 events in the quick profile); each handler
 * takes its batch and acknowledges it. The figure is deliveries per second:
 * events received, summed over the subscriptions, over the time from the
 * first append to the last delivery (or to the cap, for a contender that
 * does not finish in time). With one subscription it is bound by the
 * appends themselves. Costs are per event delivered, statements per batch
 * handed to a handler (the appends' statements included).
 */
import { makeEvents, newStreamId } from '../fixtures';
import type { Contender, SubscriptionSpec } from '../contenders/contender';
import type { Profile } from '../profile';
import type { Meter } from '../worker/meter';
import { sleep } from './drive';
import { Sample, Workload } from './workload';

export const subscriptionFanOutWorkload: Workload = {
  key: 'subscription-fan-out',
  title: '$all subscription fan-out, events delivered',
  levelName: 'subscriptions',
  metrics: [{ key: 'deliveriesPerSecond', label: 'deliveries/s', unit: 'events/s', higherIsBetter: true }],
  levels: (profile) => profile.levels,
  skip: {
    emmett: "0.42.0's consumer delivers some events twice while several writers commit at once (0–5% of 2,000 events " +
      'from 10 writers, with no failure anywhere): it orders a batch by transaction id and reads on after the global ' +
      "position of the batch's last message, which can be below positions it has already delivered. The fan-out " +
      'counts every event once per subscription, so Emmett is left out here; with one writer at a time (the latency ' +
      'workload) it delivered each event once, in order.',
  },
  // One unmeasured round with 10 subscriptions warms the subscription path (JIT, prepared statements).
  async prepare({ contender, profile, meter, state }) {
    await fanOut(contender, profile, meter, 10, profile.fanOut.warmupEvents, nextRound(state));
  },
  async run({ contender, profile, meter, state }, subscriptions) {
    return fanOut(contender, profile, meter, subscriptions, profile.fanOut.events, nextRound(state));
  },
};

function nextRound(state: Record<string, unknown>): number {
  state.round = ((state.round as number | undefined) ?? 0) + 1;
  return state.round as number;
}

async function fanOut(contender: Contender, profile: Profile, meter: Meter, subscriptions: number, events: number, round: number): Promise<Sample> {
  const { writers, checkpointEvery, capMs } = profile.fanOut;
  const expected = subscriptions * events;
  const received = new Array<number>(subscriptions).fill(0);
  let delivered = 0;
  let batches = 0;
  let failure: Error | undefined;
  let allDelivered!: () => void;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const specs: SubscriptionSpec[] = received.map((_, i) => ({
    name: `fan-out-${round}-${i}`,
    checkpointEvery,
    onEvents(batch) {
      received[i] += batch.length;
      delivered += batch.length;
      batches++;
      if (delivered >= expected) allDelivered();
    },
    onError(error) {
      failure ??= error;
      allDelivered();
    },
  }));
  const subscription = await contender.subscribeToAll(specs);

  const appends = Math.ceil(events / profile.batchSize);
  let next = 0;
  const mark = await meter.begin();
  const deadline = sleep(capMs);
  const writing = Promise.all(Array.from({ length: writers }, async () => {
    while (next < appends) {
      next++;
      await contender.append(newStreamId('fan'), 0, makeEvents(profile.batchSize, profile.eventIds));
    }
  }));
  await Promise.race([Promise.all([writing, done]), deadline]);
  const counted = delivered;
  const handed = batches;
  const usage = await meter.end(mark);
  await writing;
  await subscription.stop();

  if (failure) throw failure;
  const over = received.findIndex((n) => n > events);
  if (over >= 0) throw new Error(`subscription ${over} received ${received[over]} events, ${events} were appended`);
  return {
    // `complete` (not reported in the tables) says whether every subscription had every event before the cap.
    metrics: { deliveriesPerSecond: usage.elapsedMs > 0 ? (counted * 1000) / usage.elapsedMs : 0, complete: counted === expected ? 1 : 0 },
    events: counted,
    ops: handed,
    usage,
  };
}
