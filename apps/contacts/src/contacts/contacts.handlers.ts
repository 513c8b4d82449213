/** Kafka request handlers of contacts, tags and batch import: call the service with the validated request, reply. */
import { ContactRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { ContactMergeService } from './contact-merge.service';
import { ContactsBatchService } from './contacts-batch.service';
import { ContactsService } from './contacts.service';

@RpcHandlers()
export class ContactsHandlers {
  constructor(
    private readonly contacts: ContactsService,
    private readonly batch: ContactsBatchService,
    private readonly merges: ContactMergeService,
  ) {}

  @HandleRpc(ContactRpc.create)
  create({ ctx, input }: RpcCall<typeof ContactRpc.create>) {
    return this.contacts.create(ctx, input.body);
  }

  @HandleRpc(ContactRpc.get, { readOnly: true })
  get({ ctx, input }: RpcCall<typeof ContactRpc.get>) {
    return this.contacts.get(ctx, input.params.id);
  }

  @HandleRpc(ContactRpc.list, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof ContactRpc.list>) {
    return this.contacts.list(ctx, input.query);
  }

  @HandleRpc(ContactRpc.update)
  update({ ctx, input }: RpcCall<typeof ContactRpc.update>) {
    return this.contacts.update(ctx, input.params.id, input.body);
  }

  @HandleRpc(ContactRpc.delete)
  async delete({ ctx, input }: RpcCall<typeof ContactRpc.delete>) {
    await this.contacts.delete(ctx, input.params.id);
    return null;
  }

  @HandleRpc(ContactRpc.addTags)
  addTags({ ctx, input }: RpcCall<typeof ContactRpc.addTags>) {
    return this.contacts.changeTags(ctx, input.params.id, input.body.tags, 'add');
  }

  @HandleRpc(ContactRpc.removeTags)
  removeTags({ ctx, input }: RpcCall<typeof ContactRpc.removeTags>) {
    return this.contacts.changeTags(ctx, input.params.id, input.body.tags, 'remove');
  }

  @HandleRpc(ContactRpc.merge)
  merge({ ctx, input }: RpcCall<typeof ContactRpc.merge>) {
    return this.merges.merge(ctx, input.body);
  }

  @HandleRpc(ContactRpc.upsertByExternalId)
  upsertByExternalId({ ctx, input }: RpcCall<typeof ContactRpc.upsertByExternalId>) {
    return this.batch.upsertByExternalId(ctx, input.params.external_id, input.body);
  }

  @HandleRpc(ContactRpc.batchUpsert)
  batchUpsert({ ctx, input }: RpcCall<typeof ContactRpc.batchUpsert>) {
    return this.batch.upsert(ctx, input.body);
  }
}
