/** Parses input against a zod schema from contracts; failures become 400 `validation_failed` with per-field details. */
import type { ZodTypeAny, ZodIssue, z } from 'zod';
import type { ErrorDetail } from '@sigil/contracts';
import { ValidationFailed } from './domain-errors';

export function issuesToDetails(issues: ZodIssue[], prefix: (string | number)[] = []): ErrorDetail[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const field = path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : String(part)),
      '',
    );
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    return {
      field: unknownKeys.length ? (field ? `${field}.${unknownKeys[0]}` : String(unknownKeys[0])) : field || '(body)',
      code: issue.code === 'unrecognized_keys' ? 'unknown_field' : issue.code === 'invalid_type' ? 'invalid_type' : 'invalid',
      message: issue.message,
    };
  });
}

export function parseOrThrow<S extends ZodTypeAny>(schema: S, input: unknown, prefix: (string | number)[] = []): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationFailed(issuesToDetails(result.error.issues, prefix));
  return result.data;
}
