/** Marks a route as reachable without credentials (health probes, signup, login). */
import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'sigil:public-route';
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
