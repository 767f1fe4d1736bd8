/** commanded's "read stream": each of 1/10/20/50 concurrent readers reads its own 100-event stream, again and again. */
import { makeEvents, newStreamId } from '../fixtures';
import { drive, perSecond, warmUp } from './drive';
import { EVENTS_PER_SECOND, Workload } from './workload';

export const streamReadWorkload: Workload = {
  key: 'stream-read',
  title: 'read a 100-event stream',
  levelName: 'readers',
  metrics: [EVENTS_PER_SECOND],
  levels: (profile) => profile.levels,
  async prepare({ contender, profile, state }) {
    const { streamLength } = profile.streamRead;
    const streams: string[] = [];
    for (let i = 0; i < Math.max(...profile.levels); i++) {
      const id = newStreamId('read');
      await contender.append(id, 0, makeEvents(streamLength, profile.eventIds));
      streams.push(id);
    }
    state.streams = streams;
    // Warms the process (JIT, pool, prepared statements) before the first measured window.
    await warmUp(profile.warmupMs, 10, (loop) => contender.readStream(streams[loop]));
  },
  async run({ contender, profile, meter, state }, readers) {
    const streams = state.streams as string[];
    const { warmupMs, durationMs, streamLength } = profile.streamRead;
    const result = await drive(meter, { concurrency: readers, warmupMs, durationMs }, async (reader) => {
      const events = await contender.readStream(streams[reader]);
      if (events.length !== streamLength) throw new Error(`read ${events.length} events, expected ${streamLength}`);
      return events.length;
    });
    return { metrics: { eventsPerSecond: perSecond(result.events, result.usage) }, ...result };
  },
};
