/** The methods a path serves, for 405 `Allow` (SPEC §10). */
import { RouteMethods } from './route-methods';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add(['GET', 'HEAD'], '/v1/contacts');
  routes.add('POST', '/v1/contacts');
  routes.add(['GET', 'HEAD'], '/v1/contacts/:id');
  routes.add('PATCH', '/v1/contacts/:id');
  routes.add('DELETE', '/v1/contacts/:id');
  routes.add('POST', '/v1/lists/:id/contacts');
  routes.add('GET', '/docs/*');

  it('lists every method of a matching path, sorted, ignoring the query', () => {
    expect(routes.allowed('/v1/contacts?limit=1')).toEqual(['GET', 'HEAD', 'POST']);
    expect(routes.allowed('/v1/contacts/con_1')).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);
    expect(routes.allowed('/v1/lists/lst_1/contacts')).toEqual(['POST']);
    expect(routes.allowed('/docs/swagger-ui.css')).toEqual(['GET']);
  });

  it('finds nothing for an unknown path (a 404, not a 405)', () => {
    expect(routes.allowed('/v1/nope')).toEqual([]);
    expect(routes.allowed('/v1/contacts/con_1/extra')).toEqual([]);
    expect(routes.allowed('/v1/contactsX')).toEqual([]);
  });
});
