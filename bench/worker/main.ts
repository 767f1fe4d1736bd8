/**
 * A contender's process: it opens the contender on its own database and runs
 * what the parent asks over IPC, one request at a time.
 */
import { createContender } from '../contenders/factory';
import type { Contender } from '../contenders/contender';
import { workloadByKey } from '../workloads';
import type { WorkloadContext } from '../workloads/workload';
import { checkContender } from './check';
import { countQueries, Meter } from './meter';
import type { Envelope, Reply, Request, ResponseBody } from './protocol';

interface Session {
  contender: Contender;
  meter: Meter;
  contexts: Map<string, WorkloadContext>;
  base: Omit<WorkloadContext, 'state'>;
}

let session: Session | undefined;

async function handle(request: Request): Promise<ResponseBody> {
  if (request.type === 'open') {
    countQueries();
    const contender = createContender(request.contender);
    await contender.open(request.url, request.profile.poolSize);
    const meter = new Meter(request.url, request.postmasterPid);
    await meter.open();
    session = { contender, meter, contexts: new Map(), base: { contender, meter, profile: request.profile } };
    return;
  }
  if (!session) throw new Error('the contender is not open');
  switch (request.type) {
    case 'check':
      return checkContender(session.contender, session.base.profile.eventIds);
    case 'prepare': {
      const ctx = contextFor(session, request.workload);
      return (await workloadByKey(request.workload).prepare?.(ctx)) ?? {};
    }
    case 'run':
      return workloadByKey(request.workload).run(contextFor(session, request.workload), request.level);
    case 'checkpoint':
      return session.meter.checkpoint();
    case 'close':
      await session.meter.close();
      await session.contender.close();
      session = undefined;
      return;
  }
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
