/**
 * A contender's process: it opens the contender on its own database (and
 * another one on the database of each workload that has its own) and runs
 * what the parent asks over IPC, one request at a time.
 */
import { createContender } from '../contenders/factory';
import type { Contender, ContenderKey } from '../contenders/contender';
import { workloadByKey } from '../workloads';
import type { WorkloadContext } from '../workloads/workload';
import { checkContender } from './check';
import { countQueries, Meter } from './meter';
import type { Envelope, Reply, Request, ResponseBody } from './protocol';

interface Session {
  key: ContenderKey;
  contender: Contender;
  meter: Meter;
  contexts: Map<string, WorkloadContext>;
  base: Omit<WorkloadContext, 'state'>;
  /** Contenders opened on workloads' own databases, closed with the session. */
  extra: Contender[];
}

let session: Session | undefined;

async function handle(request: Request): Promise<ResponseBody> {
  if (request.type === 'open') {
    countQueries();
    const contender = createContender(request.contender);
    await contender.open(request.url, request.profile.poolSize);
    const meter = new Meter(request.url, request.postmasterPid);
    await meter.open();
    session = { key: request.contender, contender, meter, contexts: new Map(), base: { contender, meter, profile: request.profile }, extra: [] };
    return;
  }
  if (!session) throw new Error('the contender is not open');
  switch (request.type) {
    case 'check':
      return checkContender(session.contender, session.base.profile.eventIds);
    case 'prepare': {
      if (request.url) await openOwnDatabase(session, request.workload, request.url);
      const ctx = contextFor(session, request.workload);
      return (await workloadByKey(request.workload).prepare?.(ctx)) ?? {};
    }
    case 'run':
      return workloadByKey(request.workload).run(contextFor(session, request.workload), request.level);
    case 'checkpoint':
      return session.meter.checkpoint();
    case 'close':
      await session.meter.close();
      for (const contender of session.extra) await contender.close();
      await session.contender.close();
      session = undefined;
      return;
  }
}

/** A contender of the session's kind on the workload's own (empty) database, for its prepare and runs. */
async function openOwnDatabase(s: Session, workload: string, url: string): Promise<void> {
  const contender = createContender(s.key);
  s.extra.push(contender);
  await contender.open(url, s.base.profile.poolSize);
  s.contexts.set(workload, { ...s.base, contender, state: {} });
}

function contextFor(s: Session, workload: string): WorkloadContext {
  let ctx = s.contexts.get(workload);
  if (!ctx) s.contexts.set(workload, (ctx = { ...s.base, state: {} }));
  return ctx;
}

let queue = Promise.resolve();
process.on('message', (message: Envelope) => {
  queue = queue.then(async () => {
    let reply: Reply;
    try {
      reply = { id: message.id, ok: true, body: await handle(message.request) };
    } catch (error) {
      reply = { id: message.id, ok: false, error: (error as Error)?.stack ?? String(error) };
    }
    process.send!(reply);
    if (message.request.type === 'close') process.disconnect();
  });
});
