/** `/v1/auth/*`: signup and sessions, the only public routes besides health. */
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { KeyRpc, LoginSchema, LogoutSchema, RefreshSchema, SignupSchema, type RequestContext, type SessionTokens, type SignupResult } from '@sigil/contracts';
import { Public, RpcClient } from '@sigil/platform';
import type { RouteResult } from '../http/envelope';
import { forward } from './forward';
import { clientOf, traceOf } from '../auth/request-context';
import { LimitByIp } from '../rate-limit/ip-limit.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** No credential yet: the client still goes along, so a sign-in's audit entry has its IP and user agent. */
function anonymous(req: FastifyRequest): RequestContext {
  return { tenant_id: 'anonymous', mode: 'live', request_id: req.id, client: clientOf(req), ...traceOf(req) };
}

@Controller('v1/auth')
@Public()
export class AuthController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('signup')
  @HttpCode(201)
  @LimitByIp('signup', 'SIGNUP_LIMIT_PER_IP_PER_HOUR', 3_600_000)
  @ApiDoc({ rpc: KeyRpc.signup, tag: 'Auth', summary: 'Sign up: create a tenant and its owner; returns session tokens', body: SignupSchema, status: 201 })
  signup(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SignupResult>> {
    return forward(this.rpc, KeyRpc.signup, anonymous(req), { body });
  }

  @Post('login')
  @HttpCode(200)
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({
    rpc: KeyRpc.login,
    tag: 'Auth',
    summary: 'Log in: access token (15 min) and refresh token (7 days), acting on live data or, with `mode: "test"`, on test data',
    body: LoginSchema,
  })
  login(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SessionTokens>> {
    return forward(this.rpc, KeyRpc.login, anonymous(req), { body });
  }

  @Post('refresh')
  @HttpCode(200)
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({
    rpc: KeyRpc.refresh,
    tag: 'Auth',
    summary: 'Exchange a refresh token for new tokens (rotation; reuse revokes the session); `mode` switches the session between live and test data',
    body: RefreshSchema,
  })
  refresh(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SessionTokens>> {
    return forward(this.rpc, KeyRpc.refresh, anonymous(req), { body });
  }

  @Post('logout')
  @HttpCode(200)
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({ rpc: KeyRpc.logout, tag: 'Auth', summary: 'Revoke the session of a refresh token', body: LogoutSchema })
  logout(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<{ revoked: boolean }>> {
    return forward(this.rpc, KeyRpc.logout, anonymous(req), { body });
  }
}
