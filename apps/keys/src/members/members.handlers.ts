/** Kafka request handlers of members, invitations and tenant switching. */
import { MemberRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { SessionsService } from '../sessions/sessions.service';
import { MembersService } from './members.service';

@RpcHandlers()
export class MembersHandlers {
  constructor(
    private readonly members: MembersService,
    private readonly sessions: SessionsService,
  ) {}

  @HandleRpc(MemberRpc.invite)
  invite({ ctx, input }: RpcCall<typeof MemberRpc.invite>) {
    return this.members.invite(ctx, input.body);
  }

  @HandleRpc(MemberRpc.acceptInvitation)
  accept({ input }: RpcCall<typeof MemberRpc.acceptInvitation>) {
    return this.members.accept(input.body);
  }

  @HandleRpc(MemberRpc.listMembers, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof MemberRpc.listMembers>) {
    return this.members.list(ctx, input.query);
  }

  @HandleRpc(MemberRpc.updateMember)
  update({ ctx, input }: RpcCall<typeof MemberRpc.updateMember>) {
    return this.members.update(ctx, input.params.user_id, input.body);
  }

  @HandleRpc(MemberRpc.removeMember)
  remove({ ctx, input }: RpcCall<typeof MemberRpc.removeMember>) {
    return this.members.remove(ctx, input.params.user_id);
  }

  @HandleRpc(MemberRpc.listInvitations, { readOnly: true })
  listInvitations({ ctx, input }: RpcCall<typeof MemberRpc.listInvitations>) {
    return this.members.listInvitations(ctx, input.query);
  }

  @HandleRpc(MemberRpc.revokeInvitation)
  revokeInvitation({ ctx, input }: RpcCall<typeof MemberRpc.revokeInvitation>) {
    return this.members.revokeInvitation(ctx, input.params.invitation_id);
  }

  @HandleRpc(MemberRpc.listTenants, { readOnly: true })
  listTenants({ ctx }: RpcCall<typeof MemberRpc.listTenants>) {
    return this.members.listTenants(ctx);
  }

  @HandleRpc(MemberRpc.switchTenant)
  switchTenant({ ctx, input }: RpcCall<typeof MemberRpc.switchTenant>) {
    return this.sessions.switchTenant(ctx, input.body.tenant_id);
  }
}
