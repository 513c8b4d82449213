/** Limits a public route per client IP, e.g. `@LimitByIp('login', 'LOGIN_LIMIT_PER_IP_PER_MINUTE', 60_000)`. */
import { SetMetadata } from '@nestjs/common';
import type { GatewayConfig } from '../config';

export const IP_LIMIT = 'sigil:ip-limit';

export interface IpLimit {
  name: string;
  /** The configuration variable holding the limit. */
  setting: 'LOGIN_LIMIT_PER_IP_PER_MINUTE' | 'SIGNUP_LIMIT_PER_IP_PER_HOUR' | 'SUBSCRIPTION_LIMIT_PER_IP_PER_MINUTE';
  windowMs: number;
}

export const LimitByIp = (name: string, setting: IpLimit['setting'], windowMs: number) => SetMetadata(IP_LIMIT, { name, setting, windowMs } satisfies IpLimit);

export function ipLimitValue(config: GatewayConfig, limit: IpLimit): number {
  return config[limit.setting];
}
