/** Kafka request handlers of contacts: parse, call the service, reply. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ContactPatterns, type GetContactRequest, type RpcRequest } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { ContactsService } from './contacts.service';

@RpcHandlers()
export class ContactsHandlers {
  constructor(private readonly contacts: ContactsService) {}

  @MessagePattern(ContactPatterns.create)
  create(@Payload() req: RpcRequest) {
    return this.contacts.create(req.ctx, req.payload);
  }

  @MessagePattern(ContactPatterns.get)
  get(@Payload() req: RpcRequest<GetContactRequest>) {
    return this.contacts.get(req.ctx, req.payload?.id);
  }
}
