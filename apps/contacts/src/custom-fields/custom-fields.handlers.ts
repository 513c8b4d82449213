/** Kafka request handlers of custom field definitions and aggregates. */
import { ContactRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { CustomFieldsService } from './custom-fields.service';

@RpcHandlers()
export class CustomFieldsHandlers {
  constructor(private readonly fields: CustomFieldsService) {}

  @HandleRpc(ContactRpc.createField)
  create({ ctx, input }: RpcCall<typeof ContactRpc.createField>) {
    return this.fields.create(ctx, input.body);
  }

  @HandleRpc(ContactRpc.listFields, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof ContactRpc.listFields>) {
    return this.fields.list(ctx, input.query);
  }

  @HandleRpc(ContactRpc.getField, { readOnly: true })
  get({ ctx, input }: RpcCall<typeof ContactRpc.getField>) {
    return this.fields.get(ctx, input.params.key);
  }

  @HandleRpc(ContactRpc.updateField)
  update({ ctx, input }: RpcCall<typeof ContactRpc.updateField>) {
    return this.fields.update(ctx, input.params.key, input.body);
  }

  @HandleRpc(ContactRpc.deleteField)
  async delete({ ctx, input }: RpcCall<typeof ContactRpc.deleteField>) {
    await this.fields.delete(ctx, input.params.key);
    return null;
  }

  @HandleRpc(ContactRpc.aggregateField, { readOnly: true })
  aggregate({ ctx, input }: RpcCall<typeof ContactRpc.aggregateField>) {
    return this.fields.aggregate(ctx, input.params.key, input.query);
  }
}
