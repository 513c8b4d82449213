/** Kafka request handlers of contacts, tags and batch import: parse, call the service, reply. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ContactPatterns, type GetContactRequest, type RpcRequest, type TagsRpc, type UpdateContactRpc } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { ContactsBatchService } from './contacts-batch.service';
import { ContactsService } from './contacts.service';

@RpcHandlers()
export class ContactsHandlers {
  constructor(
    private readonly contacts: ContactsService,
    private readonly batch: ContactsBatchService,
  ) {}

  @MessagePattern(ContactPatterns.create)
  create(@Payload() req: RpcRequest) {
    return this.contacts.create(req.ctx, req.payload);
  }

  @MessagePattern(ContactPatterns.get)
  get(@Payload() req: RpcRequest<GetContactRequest>) {
    return this.contacts.get(req.ctx, req.payload?.id);
  }

  @MessagePattern(ContactPatterns.list)
  list(@Payload() req: RpcRequest) {
    return this.contacts.list(req.ctx, req.payload);
  }

  @MessagePattern(ContactPatterns.update)
  update(@Payload() req: RpcRequest<UpdateContactRpc>) {
    return this.contacts.update(req.ctx, req.payload?.id, req.payload?.changes);
  }

  @MessagePattern(ContactPatterns.delete)
  async delete(@Payload() req: RpcRequest<GetContactRequest>) {
    await this.contacts.delete(req.ctx, req.payload?.id);
    return null;
  }

  @MessagePattern(ContactPatterns.addTags)
  addTags(@Payload() req: RpcRequest<TagsRpc>) {
    return this.contacts.changeTags(req.ctx, req.payload?.id, { tags: req.payload?.tags }, 'add');
  }

  @MessagePattern(ContactPatterns.removeTags)
  removeTags(@Payload() req: RpcRequest<TagsRpc>) {
    return this.contacts.changeTags(req.ctx, req.payload?.id, { tags: req.payload?.tags }, 'remove');
  }

  @MessagePattern(ContactPatterns.batchUpsert)
  batchUpsert(@Payload() req: RpcRequest) {
    return this.batch.upsert(req.ctx, req.payload);
  }
}
