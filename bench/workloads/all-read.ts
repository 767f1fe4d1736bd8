/**
 * `$all` from the start in pages of 1,000, over a log of at least 200,000
 * events loaded with the contender's own append (10 writers, 100-event
 * streams). One reader; each repetition reads from the start again.
 */
import { makeEvents, newStreamId } from '../fixtures';
import { perSecond } from './drive';
import { EVENTS_PER_SECOND, Workload } from './workload';

export const allReadWorkload: Workload = {
  key: 'all-read',
  title: '$all read, pages of 1,000',
  levelName: '',
  metrics: [EVENTS_PER_SECOND],
  levels: () => [1],
  async prepare({ contender, profile }) {
    const { loadEvents, loadWriters } = profile.allRead;
    const streams = Math.ceil(loadEvents / profile.batchSize);
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: loadWriters }, async () => {
      while (next < streams) {
        next++;
        await contender.append(newStreamId('load'), 0, makeEvents(profile.batchSize, profile.eventIds));
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { loadedEvents: streams * profile.batchSize, loadEventsPerSecond: (streams * profile.batchSize) / seconds };
  },
  async run({ contender, profile, meter }) {
    const { pageSize, maxEvents, capMs } = profile.allRead;
    const mark = await meter.begin();
    const deadline = Date.now() + capMs;
    let after = 0;
    let events = 0;
    let ops = 0;
    while (events < maxEvents && Date.now() < deadline) {
      const page = await contender.readAll(after, pageSize);
      ops++;
      events += page.events.length;
      if (page.events.length === 0) break;
      after = page.next;
    }
    const usage = await meter.end(mark);
    return { metrics: { eventsPerSecond: perSecond(events, usage) }, events, ops, usage };
  },
};
