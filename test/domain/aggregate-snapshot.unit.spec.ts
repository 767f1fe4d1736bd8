import { expect } from 'chai';
import { isCurrentSnapshot, restoreSnapshot, takeSnapshot } from '../../src/domain/aggregate-snapshot';
import { InstanceBuilder } from '../../src/domain/instance-builder';
import { domainRegistry } from '../../src/domain/registry';
import type { SnapshotData } from '../../src';
import { Account } from './fixtures';

const info = domainRegistry.aggregateByClass(Account)!;

function openedAccount(): Account {
  const account = new Account('acc-1');
  account.open('ann', 10);
  account.deposit(5);
  return account;
}

describe('aggregate snapshots', () => {
  it('hold the aggregate\'s own fields at its version, typed and versioned, without its bookkeeping or excluded fields', () => {
    const snapshot = takeSnapshot(openedAccount(), info, 'SpecAccount-acc-1');
    expect(snapshot).to.deep.equal({
      sourceId: 'SpecAccount-acc-1',
      sourceVersion: 2,
      sourceType: 'SpecAccount',
      data: { owner: 'ann', balance: 15 },
      metadata: { snapshotVersion: info.snapshotVersion },
    });
  });

  it('are used only when taken by the same aggregate type at the current snapshot version', () => {
    const snapshot = takeSnapshot(openedAccount(), info, 's');
    expect(isCurrentSnapshot(snapshot, info)).to.equal(true);
    const variants: SnapshotData[] = [
      { ...snapshot, sourceType: 'OtherAggregate' },
      { ...snapshot, metadata: { snapshotVersion: info.snapshotVersion + 1 } },
      { ...snapshot, metadata: null },
      { ...snapshot, data: null },
      { ...snapshot, data: [1, 2] },
      { ...snapshot, data: 'text' },
    ];
    for (const variant of variants) expect(isCurrentSnapshot(variant, info), JSON.stringify(variant)).to.equal(false);
  });

  it('come back as a new aggregate holding the snapshot\'s fields, its excluded fields as a new one has them', () => {
    const snapshot = takeSnapshot(openedAccount(), info, 's');
    const restored = restoreSnapshot(Account, snapshot, new InstanceBuilder());
    expect(restored).to.be.instanceOf(Account);
    expect([restored.owner, restored.balance, restored.applied]).to.deep.equal(['ann', 15, 0]);
    expect(restored.version, 'the repository sets the version').to.equal(0);
  });
});
