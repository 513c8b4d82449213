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
  routes.add('POST', '/v1/contacts/batch');
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

  it('lets a static path answer for itself, not for the {id} route it also matches', () => {
    expect(routes.allowed('/v1/contacts/batch')).toEqual(['POST']);
    expect(routes.refused('DELETE', '/v1/contacts/batch', false)).toEqual(['POST']);
    expect(routes.refused('POST', '/v1/contacts/batch?x=1', false)).toBeUndefined();
  });

  it('refuses an undeclared method of a known path (405), and lets a served method or an unknown path through', () => {
    expect(routes.refused('QUERY', '/v1/contacts/con_1', true)).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);
    expect(routes.refused('PUT', '/v1/contacts', true)).toEqual(['GET', 'HEAD', 'POST']);
    expect(routes.refused('GET', '/v1/contacts/con_1', false)).toBeUndefined();
    expect(routes.refused('QUERY', '/v1/nope', true)).toBeUndefined();
  });
});
