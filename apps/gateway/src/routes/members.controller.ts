/**
 * `/v1/members`: invitations, accepting one (public: the signed token is the
 * credential), the member list, role changes and removal (SPEC §15). The
 * role permission table decides who may call which (docs/auth.md).
 */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  AcceptInvitationSchema,
  InviteMemberSchema,
  ListInvitationsQuerySchema,
  ListMembersQuerySchema,
  MemberRpc,
  UpdateMemberSchema,
  type AcceptedInvitation,
  type InvitationView,
  type MemberView,
  type PendingInvitationView,
  type RequestContext,
} from '@sigil/contracts';
import { Public, RpcClient } from '@sigil/platform';
import { Ctx, traceOf } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { LimitByIp } from '../rate-limit/ip-limit.decorator';
import { forward } from './forward';

@Controller('v1/members')
export class MembersController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('invitations')
  @HttpCode(201)
  @RequireScope('members:write')
  @ApiDoc({
    rpc: MemberRpc.invite,
    tag: 'Members',
    summary: 'Invite a member (admin, developer or viewer); data.token is the signed, single-use invitation (7 days), shown once',
    body: InviteMemberSchema,
    status: 201,
  })
  invite(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<InvitationView>> {
    return forward(this.rpc, MemberRpc.invite, ctx, { body });
  }

  @Post('invitations/accept')
  @HttpCode(200)
  @Public()
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({
    rpc: MemberRpc.acceptInvitation,
    tag: 'Members',
    summary: 'Accept an invitation: a new user chooses a password, an existing one confirms theirs; returns session tokens in the inviting tenant',
    body: AcceptInvitationSchema,
  })
  accept(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<AcceptedInvitation>> {
    return forward(this.rpc, MemberRpc.acceptInvitation, { tenant_id: 'anonymous', mode: 'live', request_id: req.id, ...traceOf(req) }, { body });
  }

  @Get('invitations')
  @RequireScope('members:read')
  @ApiDoc({
    rpc: MemberRpc.listInvitations,
    tag: 'Members',
    summary: 'List the pending invitations (not accepted, revoked or expired), newest first; never their tokens',
    query: ListInvitationsQuerySchema,
    paginated: true,
  })
  listInvitations(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<PendingInvitationView[]>> {
    return forward(this.rpc, MemberRpc.listInvitations, ctx, { query });
  }

  @Delete('invitations/:invitation_id')
  @HttpCode(204)
  @RequireScope('members:write')
  @ApiDoc({
    rpc: MemberRpc.revokeInvitation,
    tag: 'Members',
    summary: 'Revoke a pending invitation: its token is refused from now on (400 invitation_revoked)',
    status: 204,
  })
  async revokeInvitation(@Ctx() ctx: RequestContext, @Param('invitation_id') invitationId: string): Promise<void> {
    await forward(this.rpc, MemberRpc.revokeInvitation, ctx, { params: { invitation_id: invitationId } });
  }

  @Get()
  @RequireScope('members:read')
  @ApiDoc({ rpc: MemberRpc.listMembers, tag: 'Members', summary: 'List the members and their roles', query: ListMembersQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<MemberView[]>> {
    return forward(this.rpc, MemberRpc.listMembers, ctx, { query });
  }

  @Patch(':user_id')
  @RequireScope('members:write')
  @ApiDoc({
    rpc: MemberRpc.updateMember,
    tag: 'Members',
    summary: "Change a member's role (effective at every gateway within 1 s); role owner transfers ownership (the owner only)",
    body: UpdateMemberSchema,
  })
  update(@Ctx() ctx: RequestContext, @Param('user_id') userId: string, @Body() body: unknown): Promise<RouteResult<MemberView>> {
    return forward(this.rpc, MemberRpc.updateMember, ctx, { params: { user_id: userId }, body });
  }

  @Delete(':user_id')
  @HttpCode(204)
  @RequireScope('members:write')
  @ApiDoc({ rpc: MemberRpc.removeMember, tag: 'Members', summary: 'Remove a member: their sessions in this tenant end at every gateway within 1 s', status: 204 })
  async remove(@Ctx() ctx: RequestContext, @Param('user_id') userId: string): Promise<void> {
    await forward(this.rpc, MemberRpc.removeMember, ctx, { params: { user_id: userId } });
  }
}
