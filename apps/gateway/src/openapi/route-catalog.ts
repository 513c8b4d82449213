/**
 * The gateway's routes as declared in code: method, path and what each
 * requires. Read from Nest's route metadata, so the OpenAPI document and the
 * route-scope test see exactly what the gateway serves (the same walk the
 * route pipeline compiles its handlers from).
 */
import type { Type } from '@nestjs/common';
import { PUBLIC_ROUTE } from '@sigil/platform';
import { ANY_SCOPE, REQUIRED_SCOPE } from '../auth/scopes.decorator';
import { controllerRoutes } from '../http/route-pipeline';

export interface CatalogRoute {
  method: string;
  /** OpenAPI-style path: `/v1/contacts/{id}`. */
  path: string;
  scope: string | undefined;
  anyScope: boolean;
  isPublic: boolean;
  controller: string;
  handler: string;
}

export function routeCatalog(controllers: Type<unknown>[]): CatalogRoute[] {
  return controllers.flatMap((controller) =>
    controllerRoutes(controller).map((route) => {
      const handler = (controller.prototype as Record<string, unknown>)[route.name] as object;
      const meta = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
      return {
        method: route.method,
        path: route.url.replace(/:([A-Za-z_]+)/g, '{$1}'),
        scope: meta<string>(REQUIRED_SCOPE),
        anyScope: !!meta<boolean>(ANY_SCOPE),
        isPublic: !!meta<boolean>(PUBLIC_ROUTE),
        controller: controller.name,
        handler: route.name,
      };
    }),
  );
}
