/** Kafka request handlers of consent (history, opt-in and unsubscribe tokens) and suppressions. */
import { ContactRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { SuppressionsService } from '../suppressions/suppressions.service';
import { ConsentService } from './consent.service';
import { oneClickToken } from './subscription-tokens';

@RpcHandlers()
export class ConsentHandlers {
  constructor(
    private readonly consent: ConsentService,
    private readonly suppressions: SuppressionsService,
  ) {}

  @HandleRpc(ContactRpc.consentHistory, { readOnly: true })
  history({ ctx, input }: RpcCall<typeof ContactRpc.consentHistory>) {
    return this.consent.history(ctx, input.params.id, input.query);
  }

  @HandleRpc(ContactRpc.requestConfirmation)
  requestConfirmation({ ctx, input }: RpcCall<typeof ContactRpc.requestConfirmation>) {
    return this.consent.requestConfirmation(ctx, input.params.id);
  }

  @HandleRpc(ContactRpc.unsubscribeToken)
  unsubscribeToken({ ctx, input }: RpcCall<typeof ContactRpc.unsubscribeToken>) {
    return this.consent.unsubscribeToken(ctx, input.params.id);
  }

  @HandleRpc(ContactRpc.confirmSubscription)
  confirm({ input }: RpcCall<typeof ContactRpc.confirmSubscription>) {
    return this.consent.confirm(input.body.token, input.params.client_ip);
  }

  @HandleRpc(ContactRpc.unsubscribe)
  unsubscribe({ input }: RpcCall<typeof ContactRpc.unsubscribe>) {
    return this.consent.unsubscribe(oneClickToken(input.query.token, input.body.token), input.params.client_ip);
  }

  @HandleRpc(ContactRpc.createSuppression)
  createSuppression({ ctx, input }: RpcCall<typeof ContactRpc.createSuppression>) {
    return this.suppressions.create(ctx, input.body);
  }

  @HandleRpc(ContactRpc.listSuppressions, { readOnly: true })
  listSuppressions({ ctx, input }: RpcCall<typeof ContactRpc.listSuppressions>) {
    return this.suppressions.list(ctx, input.query);
  }

  @HandleRpc(ContactRpc.deleteSuppression)
  async deleteSuppression({ ctx, input }: RpcCall<typeof ContactRpc.deleteSuppression>) {
    await this.suppressions.delete(ctx, input.params.id);
    return null;
  }
}
