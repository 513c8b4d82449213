import type { ErrorBody } from '@sigil/contracts';
import { asDomainError, Conflict, DomainError, Forbidden, InternalError, NotFound, Unauthenticated, UpstreamTimeout, ValidationFailed } from './domain-errors';

describe('DomainError', () => {
  it('maps a status to the SPEC error type', () => {
    expect(new Unauthenticated('invalid_api_key', 'Invalid API key provided.').type).toBe('authentication_error');
    expect(new Forbidden('insufficient_scope', 'Needs contacts:write.').type).toBe('authorization_error');
    expect(new DomainError(429, 'rate_limit_exceeded', 'Slow down.').type).toBe('rate_limit_error');
    expect(new NotFound('contact', 'con_1').type).toBe('invalid_request_error');
    expect(new ValidationFailed([]).type).toBe('invalid_request_error');
    expect(new Conflict('Email taken.').type).toBe('invalid_request_error');
    expect(new DomainError(422, 'idempotency_key_reuse', 'Reused.').type).toBe('invalid_request_error');
    expect(new InternalError().type).toBe('api_error');
    expect(new UpstreamTimeout('contacts').type).toBe('api_error');
    expect(new DomainError(503, 'service_unavailable', 'Down.').type).toBe('api_error');
  });

  it('gives each subclass its status and code', () => {
    const cases: [DomainError, number, string][] = [
      [new NotFound('contact', 'con_1'), 404, 'not_found'],
      [new Conflict('Email taken.'), 409, 'conflict'],
      [new ValidationFailed([{ field: 'email', code: 'invalid', message: 'bad' }]), 400, 'validation_failed'],
      [new Unauthenticated('missing_api_key', 'No key.'), 401, 'missing_api_key'],
      [new Forbidden('insufficient_scope', 'No.'), 403, 'insufficient_scope'],
      [new UpstreamTimeout('contacts'), 504, 'upstream_timeout'],
      [new InternalError(), 500, 'internal_error'],
    ];
    for (const [err, status, code] of cases) {
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toBeInstanceOf(Error);
      expect([err.status, err.code]).toEqual([status, code]);
      expect(err.name).toBe(err.constructor.name);
    }
    expect(new NotFound('contact', 'con_1').message).toBe("No contact with id 'con_1'.");
    expect(new UpstreamTimeout('contacts').message).toBe('The contacts service did not answer in time.');
  });

  it('writes the error body with details and extra fields, and no details key when there are none', () => {
    const details = [{ field: 'tags[0]', code: 'invalid_type', message: 'Expected string' }];
    expect(new ValidationFailed(details).toBody()).toEqual({
      status: 400,
      code: 'validation_failed',
      type: 'invalid_request_error',
      message: 'The request is invalid.',
      details,
    });
    const conflict = new Conflict('A contact with this email exists.', { existing_id: 'con_9' }).toBody();
    expect(conflict).toEqual({
      status: 409,
      code: 'conflict',
      type: 'invalid_request_error',
      message: 'A contact with this email exists.',
      existing_id: 'con_9',
    });
    expect('details' in new ValidationFailed([]).toBody()).toBe(false);
  });

  it('survives a round trip through JSON (as across Kafka) unchanged', () => {
    const originals: DomainError[] = [
      new ValidationFailed([{ field: 'a.b[2]', code: 'invalid', message: 'nope' }]),
      new Conflict('Taken.', { existing_id: 'con_9' }),
      new Forbidden('insufficient_scope', 'Needs lists:write.', { required_scope: 'lists:write' }),
      new NotFound('segment', 'seg_1'),
      new UpstreamTimeout('segments'),
    ];
    for (const original of originals) {
      const wire = JSON.parse(JSON.stringify(original.toBody())) as ErrorBody;
      const back = DomainError.fromBody(wire);
      expect(back).toBeInstanceOf(DomainError);
      expect(back.status).toBe(original.status);
      expect(back.code).toBe(original.code);
      expect(back.type).toBe(original.type);
      expect(back.message).toBe(original.message);
      expect(back.details).toEqual(original.details);
      expect(back.toBody()).toEqual(original.toBody());
    }
  });

  it('does not take the type from the wire: it is derived from the status', () => {
    const back = DomainError.fromBody({ status: 403, code: 'insufficient_scope', type: 'api_error', message: 'No.' });
    expect(back.type).toBe('authorization_error');
    expect(back.extra).toEqual({});
  });
});

describe('asDomainError', () => {
  it('keeps a DomainError as it is', () => {
    const err = new NotFound('contact', 'con_1');
    expect(asDomainError(err)).toBe(err);
  });

  it('turns anything else into internal_error without leaking its message or stack', () => {
    for (const thrown of [new Error('relation "contacts" does not exist at /srv/app.js:12'), new TypeError('x is undefined'), 'boom', 42, null, undefined]) {
      const err = asDomainError(thrown);
      expect(err).toBeInstanceOf(InternalError);
      const body = JSON.stringify(err.toBody());
      expect(err.toBody()).toEqual({ status: 500, code: 'internal_error', type: 'api_error', message: 'An internal error occurred.' });
      expect(body).not.toMatch(/relation|undefined|boom|\.js/);
    }
  });
});
