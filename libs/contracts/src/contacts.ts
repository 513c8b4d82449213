/** Request/reply payloads of the contacts service, and their validation schemas. */
import { z } from 'zod';
import type { ContactSnapshot } from './events';
import { qualify } from './naming';

export const ContactPatterns = {
  create: qualify('contacts.create'),
  get: qualify('contacts.get'),
} as const;

export const TagSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N} _:.\-/]+$/u, 'tags may contain letters, digits, space and _ : . - /');

const name = z.string().trim().max(100);
/** E.164-like: optional +, 7–15 digits once spaces, dashes, dots and parentheses are stripped. */
export const PhoneSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s\-.()]/g, ''))
  .pipe(z.string().regex(/^\+?[1-9]\d{6,14}$/, 'expected an international phone number, e.g. +14155550100'));

export const EmailSchema = z.string().trim().max(254).email().transform((v) => v.toLowerCase());

export const CustomFieldValuesSchema = z.record(
  z.string().max(64),
  z.union([z.string().max(10000), z.number().finite(), z.boolean(), z.array(z.string().max(1000)).max(100), z.null()]),
);

export const CreateContactSchema = z
  .object({
    email: EmailSchema,
    first_name: name.nullable().optional(),
    last_name: name.nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    tags: z.array(TagSchema).max(100).optional(),
    custom_fields: CustomFieldValuesSchema.optional(),
  })
  .strict();
export type CreateContactRequest = z.infer<typeof CreateContactSchema>;

export const ContactIdSchema = z.string().regex(/^con_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a contact id');

export interface GetContactRequest {
  id: string;
}

export type ContactView = Omit<ContactSnapshot, 'version'>;
