/** The service-side validation of a request against its definition: each part on its own, paths as the client wrote them. */
import { z } from 'zod';
import { defineRpc, replyOf } from '@sigil/contracts';
import { DomainError } from '../errors/domain-errors';
import { parseRpcRequest } from './handle-rpc';

const def = defineRpc(
  'test.update',
  z.object({
    params: z.object({ id: z.string() }),
    query: z.object({ limit: z.coerce.number().int().max(100).default(50) }).strict(),
    body: z
      .object({
        email: z
          .string()
          .email()
          .transform((v) => v.toLowerCase()),
      })
      .strict(),
  }),
  replyOf<null>(),
);

function failure(payload: unknown): DomainError {
  try {
    parseRpcRequest(def, payload);
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('accepted');
}

describe('parseRpcRequest', () => {
  it('returns every part parsed: defaults, coercion and transforms applied', () => {
    expect(parseRpcRequest(def, { params: { id: 'x' }, query: { limit: '7' }, body: { email: 'A@B.io' } })).toEqual({
      params: { id: 'x' },
      query: { limit: 7 },
      body: { email: 'a@b.io' },
    });
    expect(parseRpcRequest(def, { params: { id: 'x' }, query: {}, body: { email: 'a@b.io' } }).query).toEqual({ limit: 50 });
  });

  it('names a failing field without its part (email, not body.email), unknown fields one by one', () => {
    const err = failure({ params: { id: 'x' }, query: {}, body: { email: 'nope', role: 'admin' } });
    expect(err.status).toBe(400);
    expect(err.toBody().details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'email', code: 'invalid' }), expect.objectContaining({ field: 'role', code: 'unknown_field' })]),
    );
  });

  it('refuses a missing body as the route did: one (body) detail', () => {
    expect(failure({ params: { id: 'x' }, query: {} }).toBody().details).toEqual([expect.objectContaining({ field: '(body)', code: 'invalid_type' })]);
  });

  it('drops parts the definition does not have', () => {
    const onlyParams = defineRpc('test.get', z.object({ params: z.object({ id: z.string() }) }), replyOf<null>());
    expect(parseRpcRequest(onlyParams, { params: { id: 'x' }, body: { sneaky: true } })).toEqual({ params: { id: 'x' } });
  });

  it("uses a schema's own code for a rule (params.code)", () => {
    const immutable = defineRpc(
      'test.patch',
      z.object({
        body: z.object({ key: z.unknown() }).superRefine((v, ctx) => {
          if (v.key !== undefined) ctx.addIssue({ code: 'custom', path: ['key'], message: 'cannot change', params: { code: 'immutable' } });
        }),
      }),
      replyOf<null>(),
    );
    try {
      parseRpcRequest(immutable, { body: { key: 'k' } });
      throw new Error('accepted');
    } catch (err) {
      expect((err as DomainError).toBody().details).toEqual([{ field: 'key', code: 'immutable', message: 'cannot change' }]);
    }
  });
});
