/**
 * Command-sized appends, the typical production write: 1 or 3 events per
 * append, from 1, 10 and 50 concurrent writers, either to a new stream each
 * time (expected version 0) or to an existing stream picked at random among
 * `existingStreams`, at its exact expected version. Each writer draws from
 * a slice of its own (stream index modulo the writers), so no append is
 * refused and every contender does the same work.
 *
 * Besides events/s, each cell reports the client's and the server's CPU per
 * append (the server: every PostgreSQL process, from /proc).
 */
import { makeEvents, newStreamId } from '../fixtures';
import { drive, perSecond, warmUp } from './drive';
import { EVENTS_PER_SECOND, MetricSpec, Sample, Workload, WorkloadContext } from './workload';

const CPU_METRICS: MetricSpec[] = [
  { key: 'clientUsPerAppend', label: 'client µs/append', short: 'client µs', unit: 'µs/append', higherIsBetter: false },
  { key: 'serverUsPerAppend', label: 'server µs/append', short: 'server µs', unit: 'µs/append', higherIsBetter: false },
];

/** The existing streams of one contender process, shared by the workloads that append to them. */
interface Existing {
  ids: string[];
  versions: number[];
}
let existing: Promise<Existing> | undefined;

function existingStreams({ contender, profile }: WorkloadContext): Promise<Existing> {
  existing ??= (async () => {
    const count = profile.command.existingStreams;
    const ids = Array.from({ length: count }, () => newStreamId('cmd'));
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < count) await contender.append(ids[next++], 0, makeEvents(1, profile.eventIds));
    }));
    return { ids, versions: ids.map(() => 1) };
  })();
  return existing;
}

function commandWorkload(target: 'new' | 'existing', eventsPerAppend: 1 | 3): Workload {
  return {
    key: `command-${target}-${eventsPerAppend}`,
    title: `append ${eventsPerAppend} event${eventsPerAppend > 1 ? 's' : ''} to ${target === 'new' ? 'a new stream' : 'an existing stream'}`,
    levelName: 'writers',
    metrics: [EVENTS_PER_SECOND, ...CPU_METRICS],
    levels: (profile) => profile.command.levels,
    baseline: 'no-seq',
    async prepare(ctx): Promise<Record<string, number> | void> {
      const { contender, profile } = ctx;
      const streams = target === 'existing' ? await existingStreams(ctx) : undefined;
      await warmUp(profile.warmupMs, 10, (loop) =>
        streams ? appendExisting(ctx, streams, loop, 10, eventsPerAppend) : contender.append(newStreamId('warm'), 0, makeEvents(eventsPerAppend, profile.eventIds)));
      if (streams) return { streams: streams.ids.length };
    },
    async run(ctx, writers) {
      const { contender, profile, meter } = ctx;
      const streams = target === 'existing' ? await existingStreams(ctx) : undefined;
      const { warmupMs, durationMs, maxOps } = profile.command;
      const result = await drive(meter, { concurrency: writers, warmupMs, durationMs, maxOps }, async (writer) => {
        if (streams) return appendExisting(ctx, streams, writer, writers, eventsPerAppend);
        await contender.append(newStreamId('cmd'), 0, makeEvents(eventsPerAppend, profile.eventIds));
        return eventsPerAppend;
      });
      return { metrics: { eventsPerSecond: perSecond(result.events, result.usage), ...cpuPerAppend(result) }, ...result };
    },
  };
}

/** One append to a random stream of the writer's slice, at its exact version. */
async function appendExisting({ contender, profile }: WorkloadContext, streams: Existing, writer: number, writers: number, n: number): Promise<number> {
  const slice = Math.floor((streams.ids.length - 1 - writer) / writers) + 1;
  const index = writer + writers * Math.floor(Math.random() * slice);
  const version = streams.versions[index];
  // Taken before the await, so that no other writer of this slice can pick it meanwhile.
  streams.versions[index] = -1;
  if (version < 0) throw new Error(`stream ${index} picked by two writers at once`);
  try {
    await contender.append(streams.ids[index], version, makeEvents(n, profile.eventIds));
    streams.versions[index] = version + n;
  } catch (error) {
    streams.versions[index] = version;
    throw error;
  }
  return n;
}

function cpuPerAppend(result: Pick<Sample, 'ops' | 'usage'>): Record<string, number> {
  const ops = Math.max(result.ops, 1);
  return {
    clientUsPerAppend: result.usage.clientCpuUs / ops,
    serverUsPerAppend: result.usage.serverCpuUs === null ? Number.NaN : result.usage.serverCpuUs / ops,
  };
}

export const commandWorkloads: readonly Workload[] = [
  commandWorkload('new', 1),
  commandWorkload('new', 3),
  commandWorkload('existing', 1),
  commandWorkload('existing', 3),
];
