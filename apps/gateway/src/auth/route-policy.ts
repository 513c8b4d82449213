/**
 * What a route requires, read once per route from its decorators
 * (`@RequireScope`, `@AnyScope`, `@Public`, `@LimitByIp`) and kept: the
 * request path does no reflector lookups. A route that declares nothing is a
 * programming error and fails closed (the route-scopes test catches it first).
 */
import { Inject, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Scope } from '@sigil/contracts';
import { PUBLIC_ROUTE } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { IP_LIMIT, ipLimitValue, type IpLimit } from '../rate-limit/ip-limit.decorator';
import { ANY_SCOPE, REQUIRED_SCOPE } from './scopes.decorator';

/** A controller method, as its decorators' metadata is stored on it. */
export type RouteHandler = (...args: never[]) => unknown;

export type RoutePolicy = { kind: 'public'; ipLimit?: { name: string; limit: number; windowMs: number } } | { kind: 'authenticated'; required: Scope | undefined };

@Injectable()
export class RoutePolicies {
  private readonly byHandler = new Map<object, RoutePolicy>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The policy of a controller's route handler (the route pipeline resolves it once, when it compiles the route). */
  of(handler: RouteHandler, controller: Type<unknown>): RoutePolicy {
    let policy = this.byHandler.get(handler);
    if (policy === undefined) {
      policy = this.read(handler, controller);
      this.byHandler.set(handler, policy);
    }
    return policy;
  }

  private read(handler: RouteHandler, controller: Type<unknown>): RoutePolicy {
    const targets = [handler, controller];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      const ip = this.reflector.getAllAndOverride<IpLimit | undefined>(IP_LIMIT, targets);
      return { kind: 'public', ipLimit: ip && { name: ip.name, limit: ipLimitValue(this.config, ip), windowMs: ip.windowMs } };
    }
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    if (!required && !this.reflector.getAllAndOverride<boolean>(ANY_SCOPE, targets)) {
      throw new Error(`route ${controller.name}.${handler.name} declares no scope`);
    }
    return { kind: 'authenticated', required };
  }
}
