/** Kafka request handlers of custom field definitions and aggregates. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ContactPatterns,
  type AggregateRpc,
  type CustomFieldKeyRpc,
  type RpcRequest,
  type UpdateCustomFieldRpc,
} from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { CustomFieldsService } from './custom-fields.service';

@RpcHandlers()
export class CustomFieldsHandlers {
  constructor(private readonly fields: CustomFieldsService) {}

  @MessagePattern(ContactPatterns.createField)
  create(@Payload() req: RpcRequest) {
    return this.fields.create(req.ctx, req.payload);
  }

  @MessagePattern(ContactPatterns.listFields)
  list(@Payload() req: RpcRequest) {
    return this.fields.list(req.ctx, req.payload);
  }

  @MessagePattern(ContactPatterns.getField)
  get(@Payload() req: RpcRequest<CustomFieldKeyRpc>) {
    return this.fields.get(req.ctx, req.payload?.key);
  }

  @MessagePattern(ContactPatterns.updateField)
  update(@Payload() req: RpcRequest<UpdateCustomFieldRpc>) {
    return this.fields.update(req.ctx, req.payload?.key, req.payload?.changes);
  }

  @MessagePattern(ContactPatterns.deleteField)
  async delete(@Payload() req: RpcRequest<CustomFieldKeyRpc>) {
    await this.fields.delete(req.ctx, req.payload?.key);
    return null;
  }

  @MessagePattern(ContactPatterns.aggregateField)
  aggregate(@Payload() req: RpcRequest<AggregateRpc>) {
    const { key, ...query } = req.payload ?? ({} as AggregateRpc);
    return this.fields.aggregate(req.ctx, key, query);
  }
}
