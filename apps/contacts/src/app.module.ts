/** The contacts service: contacts, tags, custom fields and activities in its own database. */
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthPatterns } from '@sigil/contracts';
import { RpcClient, ServicePlatformModule, type KafkaSettings } from '@sigil/platform';
import { ActivitiesHandlers } from './activities/activities.handlers';
import { ActivitiesRepository } from './activities/activities.repository';
import { ActivitiesService } from './activities/activities.service';
import { CONTACTS_CONFIG, type ContactsConfig } from './config';
import { ConsentHandlers } from './consent/consent.handlers';
import { ConsentRepository } from './consent/consent.repository';
import { CONSENT_SETTINGS, ConsentService } from './consent/consent.service';
import { SuppressionsRepository } from './suppressions/suppressions.repository';
import { SuppressionsService } from './suppressions/suppressions.service';
import { SuppressionFanout } from './suppressions/suppression-fanout';
import { ContactMergeService } from './contacts/contact-merge.service';
import { ContactMergesRepository } from './contacts/contact-merges.repository';
import { ContactsBatchService } from './contacts/contacts-batch.service';
import { ContactsHandlers } from './contacts/contacts.handlers';
import { ContactsRepository } from './contacts/contacts.repository';
import { ContactCreates } from './contacts/contact-creates';
import { ContactTagChanges } from './contacts/contact-tag-changes';
import { ContactWriteReads } from './contacts/contact-write-reads';
import { ContactsService } from './contacts/contacts.service';
import { SegmentMembersClient } from './contacts/segment-members.client';
import { CustomFieldAggregates } from './custom-fields/custom-field-aggregates';
import { CustomFieldDefinitions } from './custom-fields/custom-field-definitions';
import { CustomFieldsHandlers } from './custom-fields/custom-fields.handlers';
import { CustomFieldsService } from './custom-fields/custom-fields.service';
import { ImportQueue } from './imports/import-queue';
import { ImportRunner } from './imports/import-runner';
import { ImportWorker } from './imports/import.worker';
import { ImportsHandlers } from './imports/imports.handlers';
import { ImportsRepository } from './imports/imports.repository';
import { ImportsService } from './imports/imports.service';
import { CONTACTS_MIGRATIONS } from './migrations';
import { SnapshotsHandlers } from './snapshots/snapshots.handlers';
import { SnapshotsService } from './snapshots/snapshots.service';

/** Everything but transport and database: also what integration tests build around a test DataSource. */
export const CONTACTS_PROVIDERS = [
  ContactsRepository,
  ContactWriteReads,
  ActivitiesRepository,
  CustomFieldDefinitions,
  CustomFieldAggregates,
  SegmentMembersClient,
  ContactCreates,
  ContactTagChanges,
  ContactsService,
  ContactsBatchService,
  ContactMergesRepository,
  ContactMergeService,
  CustomFieldsService,
  ActivitiesService,
  SnapshotsService,
  ConsentRepository,
  ConsentService,
  SuppressionsRepository,
  SuppressionFanout,
  SuppressionsService,
  ImportsRepository,
  ImportQueue,
  ImportsService,
  ImportRunner,
];

@Module({})
export class ContactsAppModule {
  static forRoot(config: ContactsConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: ContactsAppModule,
      imports: [
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.contacts,
          database: {
            service: 'contacts',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: CONTACTS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
        }),
      ],
      controllers: [ContactsHandlers, CustomFieldsHandlers, ActivitiesHandlers, SnapshotsHandlers, ConsentHandlers, ImportsHandlers],
      providers: [
        // Asks the segments service for list/segment members (the `list_id`/`segment_id` filters).
        { provide: RpcClient, useFactory: () => new RpcClient({ ...kafka, service: 'contacts', timeoutMs: config.KAFKA_REQUEST_TIMEOUT_MS }) },
        { provide: CONTACTS_CONFIG, useValue: config },
        {
          provide: CONSENT_SETTINGS,
          useValue: {
            secret: config.CONSENT_TOKEN_SECRET,
            confirmTtlSeconds: config.CONFIRMATION_TOKEN_TTL_SECONDS,
            unsubscribeTtlSeconds: config.UNSUBSCRIBE_TOKEN_TTL_SECONDS,
          },
        },
        ...CONTACTS_PROVIDERS,
        ImportWorker,
      ],
    };
  }
}
