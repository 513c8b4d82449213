/** Contact use cases. No transport here: handlers call these with a request context. */
import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { ContactIdSchema, CreateContactSchema, type ContactView, type RequestContext } from '@sigil/contracts';
import { Conflict, NotFound, OutboxWriter, newId, parseOrThrow } from '@sigil/platform';
import { ContactEntity } from './contact.entity';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class ContactsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(ctx: RequestContext, input: unknown): Promise<ContactView> {
    const req = parseOrThrow(CreateContactSchema, input);
    const now = new Date();
    const contact = Object.assign(new ContactEntity(), {
      id: newId('con'),
      tenantId: ctx.tenant_id,
      mode: ctx.mode,
      email: req.email,
      firstName: req.first_name ?? null,
      lastName: req.last_name ?? null,
      phone: req.phone ?? null,
      tags: [...new Set(req.tags ?? [])],
      customFields: req.custom_fields ?? {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(ContactEntity, contact);
        await this.outbox.append(manager, [
          { type: 'contact.created', tenant_id: ctx.tenant_id, mode: ctx.mode, key: contact.id, data: { contact: contact.toSnapshot() } },
        ]);
      });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        const existing = await this.dataSource
          .getRepository(ContactEntity)
          .createQueryBuilder('c')
          .select('c.id')
          .where('c.tenant_id = :t AND c.mode = :m AND lower(c.email) = :e', { t: ctx.tenant_id, m: ctx.mode, e: req.email })
          .getOne();
        throw new Conflict(`A contact with email '${req.email}' already exists.`, { existing_id: existing?.id });
      }
      throw err;
    }
    return contact.toView();
  }

  async get(ctx: RequestContext, id: unknown): Promise<ContactView> {
    if (!ContactIdSchema.safeParse(id).success) throw new NotFound('contact', String(id));
    const contact = await this.dataSource
      .getRepository(ContactEntity)
      .findOneBy({ id: id as string, tenantId: ctx.tenant_id, mode: ctx.mode });
    if (!contact) throw new NotFound('contact', id as string);
    return contact.toView();
  }
}
