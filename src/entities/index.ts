import { AllPositionsEntity } from './all-positions.entity';
import { AppendLogEntity } from './append-log.entity';
import { EventEntity } from './event.entity';
import { PersonalDataKeyEntity } from './personal-data-key.entity';
import { ParkedEventEntity } from './parked-event.entity';
import { SnapshotEntity } from './snapshot.entity';
import { StreamLinkEntity } from './stream-link.entity';
import { StreamRetentionEntity } from './stream-retention.entity';
import { StreamEntity } from './stream.entity';
import { SubscriptionEntity } from './subscription.entity';

export { AllPositionsEntity, AppendLogEntity, EventEntity, ParkedEventEntity, SnapshotEntity, StreamLinkEntity, StreamEntity, SubscriptionEntity };
export { PersonalDataKeyEntity, StreamRetentionEntity };

/** The store's tables, the single source of its schema. */
export const STORE_ENTITIES = [
  StreamEntity,
  EventEntity,
  StreamLinkEntity,
  AppendLogEntity,
  AllPositionsEntity,
  SubscriptionEntity,
  SnapshotEntity,
  PersonalDataKeyEntity,
  ParkedEventEntity,
  StreamRetentionEntity,
];
