/** commanded's "append events": batches of 100 events, each to a new stream, from 1/10/20/50 concurrent writers. */
import { makeEvents, newStreamId } from '../fixtures';
import { drive, perSecond, warmUp } from './drive';
import { EVENTS_PER_SECOND, Workload } from './workload';

export const appendWorkload: Workload = {
  key: 'append',
  title: 'append a 100-event batch',
  levelName: 'writers',
  metrics: [EVENTS_PER_SECOND],
  levels: (profile) => profile.levels,
  // Warms the process (JIT, pool, prepared statements) before the first measured window.
  async prepare({ contender, profile }) {
    await warmUp(profile.warmupMs, 10, () => contender.append(newStreamId('warm'), 0, makeEvents(profile.batchSize, profile.eventIds)));
  },
  async run({ contender, profile, meter }, writers) {
    const { warmupMs, durationMs, maxOps } = profile.append;
    const result = await drive(meter, { concurrency: writers, warmupMs, durationMs, maxOps }, async () => {
      const events = makeEvents(profile.batchSize, profile.eventIds);
      await contender.append(newStreamId('acct'), 0, events);
      return events.length;
    });
    return { metrics: { eventsPerSecond: perSecond(result.events, result.usage) }, ...result };
  },
};
