/**
 * The correctness check every contender passes before anything is measured:
 * a duplicate create and a wrong expected version are refused, 4 appends
 * racing at one expected version give exactly 1 winner, and the stream and
 * `$all` read back exactly the events that were accepted, once each, in order.
 */
import { Contender, VersionConflict } from '../contenders/contender';
import { BenchEvent, makeEvents, newStreamId } from '../fixtures';
import type { CheckResult } from './protocol';

export async function checkContender(contender: Contender, ids: 'v4' | 'v7'): Promise<CheckResult> {
  const steps: CheckResult['steps'] = [];
  const step = (name: string, passed: boolean, detail: string) => steps.push({ name, passed, detail });
  const stream = newStreamId('check');

  const created = makeEvents(4, ids);
  await contender.append(stream, 0, created);
  step('create a stream (expected version 0)', true, '4 events');

  const duplicate = await outcome(contender.append(stream, 0, makeEvents(1, ids)));
  step('a duplicate create is refused', duplicate === 'conflict', duplicate);

  const wrong = await outcome(contender.append(stream, 7, makeEvents(1, ids)));
  step('a wrong expected version is refused', wrong === 'conflict', wrong);

  const racers = Array.from({ length: 4 }, () => makeEvents(1, ids));
  const results = await Promise.all(racers.map((events) => outcome(contender.append(stream, 4, events))));
  const winners = results.filter((r) => r === 'ok').length;
  const losers = results.filter((r) => r === 'conflict').length;
  step('4 appends racing at one expected version: 1 winner', winners === 1 && losers === 3, `${winners} won, ${losers} refused`);

  const winner = racers[results.indexOf('ok')] ?? [];
  const expected = [...created, ...winner].map((e: BenchEvent) => e.eventId);
  const read = (await contender.readStream(stream)).map((e) => contender.identify(e));
  const streamOk = read.length === expected.length && read.every((e, i) => e.eventId === expected[i] && e.version === i + 1);
  step('the stream reads back the accepted events in order', streamOk, `${read.length} events read, ${expected.length} expected`);

  const inAll: string[] = [];
  let after = 0;
  for (;;) {
    const page = await contender.readAll(after, 1000);
    for (const e of page.events) {
      const id = contender.identify(e);
      if (id.streamId === stream) inAll.push(id.eventId);
    }
    if (page.events.length < 1000) break;
    after = page.next;
  }
  const allOk = inAll.length === expected.length && inAll.every((id, i) => id === expected[i]);
  step('$all holds them once each, in stream order, when the appends return', allOk, `${inAll.length} found in $all`);

  return { passed: steps.every((s) => s.passed), steps };
}

async function outcome(append: Promise<void>): Promise<'ok' | 'conflict' | string> {
  try {
    await append;
    return 'ok';
  } catch (error) {
    return error instanceof VersionConflict ? 'conflict' : `error: ${(error as Error).message}`;
  }
}
