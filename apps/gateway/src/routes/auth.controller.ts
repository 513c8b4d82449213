/** `/v1/auth/*`: signup and sessions, the only public routes besides health. */
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  KeyPatterns,
  LoginSchema,
  RefreshSchema,
  SignupSchema,
  type RequestContext,
  type SessionTokens,
  type SignupResult,
} from '@sigil/contracts';
import { parseOrThrow, Public, RpcClient } from '@sigil/platform';
import type { RouteResult } from '../http/envelope.interceptor';
import { LimitByIp } from '../rate-limit/ip-limit.decorator';

function anonymous(req: FastifyRequest): RequestContext {
  return { tenant_id: 'anonymous', mode: 'live', request_id: req.id };
}

@Controller('v1/auth')
@Public()
export class AuthController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('signup')
  @HttpCode(201)
  @LimitByIp('signup', 'SIGNUP_LIMIT_PER_IP_PER_HOUR', 3_600_000)
  signup(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SignupResult>> {
    return this.rpc.call(KeyPatterns.signup, anonymous(req), parseOrThrow(SignupSchema, body));
  }

  @Post('login')
  @HttpCode(200)
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  login(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SessionTokens>> {
    return this.rpc.call(KeyPatterns.login, anonymous(req), parseOrThrow(LoginSchema, body));
  }

  @Post('refresh')
  @HttpCode(200)
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  refresh(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SessionTokens>> {
    return this.rpc.call(KeyPatterns.refresh, anonymous(req), parseOrThrow(RefreshSchema, body));
  }

  @Post('logout')
  @HttpCode(200)
  @LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)
  logout(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<{ revoked: boolean }>> {
    return this.rpc.call(KeyPatterns.logout, anonymous(req), parseOrThrow(RefreshSchema, body));
  }
}
