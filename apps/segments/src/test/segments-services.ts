/**
 * The segments service's objects wired by hand for integration tests (no
 * Nest, no Kafka): repositories, membership, read model, builder (its loop
 * off: tests drive it), lists and segments, on the test's database and clock.
 */
import type { DataSource } from 'typeorm';
import { OutboxWriter } from '@sigil/platform';
import type { Clock } from '../clock';
import { ListsRepository } from '../lists/lists.repository';
import { ListsService } from '../lists/lists.service';
import { MembershipRepository } from '../membership/membership.repository';
import { MembershipService } from '../membership/membership.service';
import { SegmentBuilder, type SegmentBuilderSettings } from '../membership/segment-builder';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { ReadModelService } from '../read-model/read-model.service';
import { ExportSnapshots } from '../segments/export-snapshots';
import { ExportSnapshotsRepository } from '../segments/export-snapshots.repository';
import { SegmentsRepository } from '../segments/segments.repository';
import { SegmentsService } from '../segments/segments.service';

export function segmentsServices(ds: DataSource, clock: Clock, builderSettings: Partial<SegmentBuilderSettings> = {}) {
  const outbox = new OutboxWriter();
  const repositories = {
    lists: new ListsRepository(),
    segments: new SegmentsRepository(),
    members: new MembershipRepository(),
    contacts: new ReadModelRepository(),
    exportSnapshots: new ExportSnapshotsRepository(),
  };
  const { lists, segments, members, contacts } = repositories;
  const membership = new MembershipService(outbox, clock, members, segments, contacts);
  const builder = new SegmentBuilder(ds, membership, segments, clock, {
    enabled: false,
    pollIntervalMs: 50,
    chunkSize: 50,
    sweepIntervalMs: 3600_000,
    leaseSeconds: 30,
    ...builderSettings,
  });
  const snapshots = new ExportSnapshots(ds, repositories.exportSnapshots);
  return {
    repositories,
    membership,
    builder,
    snapshots,
    readModel: new ReadModelService(ds, membership, outbox, contacts, lists),
    lists: new ListsService(ds, outbox, membership, lists, segments, contacts),
    segments: new SegmentsService(ds, outbox, membership, builder, clock, snapshots, segments, members, lists, contacts),
  };
}
