/** Parses input against a zod schema from contracts; failures become 400 `validation_failed` with per-field details. */
import type { ZodTypeAny, ZodIssue, z } from 'zod';
import type { ErrorDetail } from '@sigil/contracts';
import { ValidationFailed } from './domain-errors';

export function issuesToDetails(issues: ZodIssue[], prefix: (string | number)[] = []): ErrorDetail[] {
  return issues.flatMap((issue): ErrorDetail[] => {
    const path = [...prefix, ...issue.path];
    const field = path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : String(part)), '');
    // zod reports all unknown keys of an object in one issue; the client gets one detail per key.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: field ? `${field}.${key}` : key, code: 'unknown_field', message: `Unrecognized key: '${key}'` }));
    }
    // A schema may name its own code for a rule (`params: { code: 'immutable' }`).
    const own = issue.code === 'custom' && typeof issue.params?.code === 'string' ? (issue.params.code as string) : undefined;
    return [{ field: field || '(body)', code: own ?? (issue.code === 'invalid_type' ? 'invalid_type' : 'invalid'), message: issue.message }];
  });
}

export function parseOrThrow<S extends ZodTypeAny>(schema: S, input: unknown, prefix: (string | number)[] = []): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationFailed(issuesToDetails(result.error.issues, prefix));
  return result.data;
}
