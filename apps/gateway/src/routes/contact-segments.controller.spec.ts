/**
 * `GET /v1/contacts/:id/segments`: the contacts service decides whether the
 * contact exists (its 404 wins, even over memberships the segments service
 * still has), the segments service what it is in (`[]` while it has not read
 * the contact yet), with a fake RpcClient answering per pattern. The live
 * version is segments-composition.e2e-spec.ts.
 */
import { ContactRpc, SegmentRpc, type RequestContext, type RpcDefinition } from '@sigil/contracts';
import { DomainError, NotFound, type RpcClient } from '@sigil/platform';
import { ContactSegmentsController } from './contact-segments.controller';

const ID = 'con_01JABCDEFGHJKMNPQRSTVWXYZ0';
const ctx = { request_id: 'req_1' } as unknown as RequestContext;

/** A controller whose RpcClient answers each pattern with `answers[pattern]` (a value, or an error to throw); records the calls. */
function controllerAnswering(answers: Record<string, unknown>) {
  const calls: string[] = [];
  const rpc = {
    call: async (def: RpcDefinition) => {
      calls.push(def.pattern);
      const answer = answers[def.pattern];
      if (answer instanceof Error) throw answer;
      return { data: answer };
    },
  } as unknown as RpcClient;
  return { controller: new ContactSegmentsController(rpc), calls };
}

describe('ContactSegmentsController', () => {
  it("answers the segments service's list for a contact the contacts service has", async () => {
    const segments = [{ segment_id: 'seg_1', name: 'S', since: '2026-12-03T00:00:00.000Z' }];
    const { controller, calls } = controllerAnswering({ [SegmentRpc.contactSegments.pattern]: segments, [ContactRpc.get.pattern]: { id: ID } });
    await expect(controller.list(ctx, ID)).resolves.toEqual({ data: segments });
    expect(calls.sort()).toEqual([ContactRpc.get.pattern, SegmentRpc.contactSegments.pattern].sort());
  });

  it('answers 404 for a contact the contacts service no longer has, while the segments service still lists its memberships', async () => {
    const deleted = new NotFound('contact', ID);
    const { controller } = controllerAnswering({
      [SegmentRpc.contactSegments.pattern]: [{ segment_id: 'seg_1', name: 'S', since: '2026-12-03T00:00:00.000Z' }],
      [ContactRpc.get.pattern]: deleted,
    });
    await expect(controller.list(ctx, ID)).rejects.toBe(deleted);
  });

  it('answers [] for a contact the contacts service has but the segments service has not read yet', async () => {
    const { controller, calls } = controllerAnswering({
      [SegmentRpc.contactSegments.pattern]: new NotFound('contact', ID),
      [ContactRpc.get.pattern]: { id: ID },
    });
    await expect(controller.list(ctx, ID)).resolves.toEqual({ data: [] });
    expect(calls.sort()).toEqual([ContactRpc.get.pattern, SegmentRpc.contactSegments.pattern].sort());
  });

  it("answers the contacts service's 404 when it has no such contact in this tenant", async () => {
    const missing = new NotFound('contact', ID);
    const { controller } = controllerAnswering({ [SegmentRpc.contactSegments.pattern]: new NotFound('contact', ID), [ContactRpc.get.pattern]: missing });
    await expect(controller.list(ctx, ID)).rejects.toBe(missing);
  });

  it('answers a malformed id as the segments service did, without asking the contacts service', async () => {
    const notFound = new NotFound('contact', 'not-an-id');
    const { controller, calls } = controllerAnswering({ [SegmentRpc.contactSegments.pattern]: notFound });
    await expect(controller.list(ctx, 'not-an-id')).rejects.toBe(notFound);
    expect(calls).toEqual([SegmentRpc.contactSegments.pattern]);
  });

  it('passes on any other error of either service', async () => {
    const timeout = new DomainError(504, 'upstream_timeout', 'segments did not answer');
    const slowSegments = controllerAnswering({ [SegmentRpc.contactSegments.pattern]: timeout, [ContactRpc.get.pattern]: { id: ID } });
    await expect(slowSegments.controller.list(ctx, ID)).rejects.toBe(timeout);
    const slowContacts = controllerAnswering({ [SegmentRpc.contactSegments.pattern]: [], [ContactRpc.get.pattern]: timeout });
    await expect(slowContacts.controller.list(ctx, ID)).rejects.toBe(timeout);
  });
});
