/** The segments service: static lists, dynamic segments, and its own read model of contacts. */
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthPatterns } from '@sigil/contracts';
import { ServicePlatformModule, type KafkaSettings } from '@sigil/platform';
import { CLOCK, systemClock } from './clock';
import type { SegmentsConfig } from './config';
import { ListsHandlers } from './lists/lists.handlers';
import { ListsRepository } from './lists/lists.repository';
import { ListsService } from './lists/lists.service';
import { MembershipRepository } from './membership/membership.repository';
import { MembershipService } from './membership/membership.service';
import { SEGMENT_BUILDER_SETTINGS, SegmentBuilder, type SegmentBuilderSettings } from './membership/segment-builder';
import { SEGMENTS_MIGRATIONS } from './migrations';
import { READ_MODEL_APPLY_INTERVAL_MS, ReadModelConsumer } from './read-model/read-model.consumer';
import { ReadModelRepository } from './read-model/read-model.repository';
import { ReadModelService } from './read-model/read-model.service';
import { ExportSnapshots } from './segments/export-snapshots';
import { ExportSnapshotsRepository } from './segments/export-snapshots.repository';
import { SegmentsHandlers } from './segments/segments.handlers';
import { SegmentsRepository } from './segments/segments.repository';
import { SegmentsService } from './segments/segments.service';

@Module({})
export class SegmentsAppModule {
  static forRoot(config: SegmentsConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: SegmentsAppModule,
      imports: [
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.segments,
          database: {
            service: 'segments',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: SEGMENTS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
        }),
      ],
      controllers: [ListsHandlers, SegmentsHandlers],
      providers: [
        { provide: CLOCK, useValue: systemClock },
        {
          provide: SEGMENT_BUILDER_SETTINGS,
          useValue: {
            enabled: config.SEGMENTS_BUILDER_ENABLED,
            pollIntervalMs: config.SEGMENTS_BUILD_POLL_MS,
            chunkSize: config.SEGMENTS_BUILD_CHUNK_SIZE,
            sweepIntervalMs: config.SEGMENTS_WINDOW_SWEEP_MS,
            leaseSeconds: config.SEGMENTS_BUILD_LEASE_SECONDS,
          } satisfies SegmentBuilderSettings,
        },
        { provide: READ_MODEL_APPLY_INTERVAL_MS, useValue: config.SEGMENTS_APPLY_INTERVAL_MS },
        ListsRepository,
        SegmentsRepository,
        ReadModelRepository,
        MembershipRepository,
        ExportSnapshotsRepository,
        MembershipService,
        SegmentBuilder,
        ReadModelService,
        ReadModelConsumer,
        ListsService,
        SegmentsService,
        ExportSnapshots,
      ],
    };
  }
}
