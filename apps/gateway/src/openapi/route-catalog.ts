/**
 * The gateway's routes as declared in code: method, path and what each
 * requires. Read from Nest's route metadata, so the OpenAPI document and the
 * route-scope test see exactly what the gateway serves.
 */
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { PUBLIC_ROUTE } from '@sigil/platform';
import { ANY_SCOPE, REQUIRED_SCOPE } from '../auth/scopes.decorator';

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
  const out: CatalogRoute[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      if (name === 'constructor') continue;
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const raw =
        '/' +
        [base, sub]
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/');
      const meta = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
      out.push({
        method: RequestMethod[method],
        path: raw.replace(/:([A-Za-z_]+)/g, '{$1}'),
        scope: meta<string>(REQUIRED_SCOPE),
        anyScope: !!meta<boolean>(ANY_SCOPE),
        isPublic: !!meta<boolean>(PUBLIC_ROUTE),
        controller: controller.name,
        handler: name,
      });
    }
  }
  return out;
}
