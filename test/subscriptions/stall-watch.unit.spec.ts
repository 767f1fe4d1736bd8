import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import type { Logger } from '@mikro-orm/core';
import { notifyState, reportError } from '../../src/subscriptions/report-error';
import { StallWatch } from '../../src/subscriptions/stall-watch';
import type { SubscriptionEvents } from '../../src/subscriptions/subscription-options';
import { sleep, waitUntil } from '../support/wait';

describe('StallWatch', () => {
  function watch(timeoutMs = 10) {
    const stalls: number[] = [];
    const w = new StallWatch(timeoutMs, () => stalls.push(Date.now()));
    return { w, stalls };
  }

  it('reports a stall once when the buffer stays full without an acknowledgement', async () => {
    const { w, stalls } = watch();
    expect(w.update(true, false)).to.equal(false);
    await waitUntil(() => w.stalled, 'the watch reports a stall', 1000);
    w.update(true, false);
    await sleep(30);
    expect(stalls).to.have.length(1);
    w.stop();
  });

  it('ends a stall on an acknowledgement, and says so once', async () => {
    const { w } = watch();
    w.update(true, false);
    await waitUntil(() => w.stalled, 'stalled', 1000);
    expect(w.update(true, true)).to.equal(true);
    expect(w.stalled).to.equal(false);
    expect(w.update(false, true)).to.equal(false);
    w.stop();
  });

  it('ends a stall when the events leave the flight (a withdrawn batch)', async () => {
    const { w } = watch();
    w.update(true, false);
    await waitUntil(() => w.stalled, 'stalled', 1000);
    expect(w.update(false, false)).to.equal(true);
    expect(w.stalled).to.equal(false);
  });

  it('never stalls while the buffer has room, nor with a timeout of 0', async () => {
    const roomy = watch();
    roomy.w.update(false, false);
    const off = watch(0);
    off.w.update(true, false);
    await sleep(30);
    expect(roomy.stalls).to.deep.equal([]);
    expect(off.stalls).to.deep.equal([]);
    expect(off.w.stalled).to.equal(false);
  });

  it('starts its timer again on each acknowledgement, and stops for good on stop()', async () => {
    const { w, stalls } = watch(40);
    w.update(true, false);
    await sleep(25);
    w.update(true, true);
    await sleep(25);
    expect(stalls, 'the acknowledgement restarted the timer').to.deep.equal([]);
    w.stop();
    await sleep(40);
    expect(stalls).to.deep.equal([]);
    expect(w.stalled).to.equal(false);
  });
});

describe('reporting a subscription\'s failures and states', () => {
  const logged: string[] = [];
  const logger = { error: (_namespace: string, message: string) => logged.push(message) } as unknown as Logger;
  beforeEach(() => (logged.length = 0));

  const emitter = () => new EventEmitter<SubscriptionEvents>();

  it('gives the error to onError and to error listeners, and logs nothing then', () => {
    const sub = emitter();
    const heard: string[] = [];
    sub.on('error', (e) => heard.push(`listener ${e.message}`));
    reportError(sub, new Error('boom'), (e, s) => heard.push(`onError ${e.message} ${s === sub}`), logger, 'sub');
    expect(heard).to.deep.equal(['onError boom true', 'listener boom']);
    expect(logged).to.deep.equal([]);
  });

  it('logs the error when nobody listens, rather than throwing out of delivery', () => {
    expect(() => reportError(emitter(), new Error('boom'), undefined, logger, 'subscription orders')).to.not.throw();
    expect(logged).to.deep.equal(['[eventstore] subscription orders: boom']);
  });

  it('survives an onError that throws', () => {
    const sub = emitter();
    let heard = 0;
    sub.on('error', () => heard++);
    reportError(sub, new Error('boom'), () => {
      throw new Error('callback failed');
    }, logger, 'sub');
    expect(heard).to.equal(1);
  });

  it('gives every state to onState first, then to state listeners, even when onState throws', () => {
    const sub = emitter();
    const seen: string[] = [];
    sub.on('state', (state) => seen.push(`listener ${state}`));
    notifyState(sub, 'live', (state) => {
      seen.push(`onState ${state}`);
      throw new Error('callback failed');
    });
    expect(seen).to.deep.equal(['onState live', 'listener live']);
  });
});
