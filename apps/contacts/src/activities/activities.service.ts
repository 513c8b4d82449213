/** Activities of a contact (`purchase`, `page_view`…): recorded with an event, listed newest first. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DEFAULT_PAGE_LIMIT,
  type ActivityView,
  type RequestContext,
  type ListActivitiesQuery,
  type RecordActivityRequest,
} from '@sigil/contracts';
import { keysetPage, NotFound, OutboxWriter, Paged, pageWindow, ValidationFailed, newId } from '@sigil/platform';
import { PG_TIMESTAMP } from '../contacts/contact-list.query';
import { contactIdOrNotFound, scopeOf } from '../contacts/contacts.service';
import { ContactsRepository } from '../contacts/contacts.repository';

interface ActivityRow {
  id: string;
  contact_id: string;
  type: string;
  occurred_at: Date;
  occurred_pos: string;
  properties: Record<string, unknown>;
  created_at: Date;
}

/** Activities dated further ahead than this are refused (clock skew is fine, typos are not). */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

function view(row: ActivityRow): ActivityView {
  return {
    id: row.id,
    contact_id: row.contact_id,
    type: row.type,
    occurred_at: new Date(row.occurred_at).toISOString(),
    properties: row.properties,
    created_at: new Date(row.created_at).toISOString(),
  };
}

@Injectable()
export class ActivitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
  ) {}

  async record(ctx: RequestContext, contactId: unknown, req: RecordActivityRequest): Promise<ActivityView> {
    const id = contactIdOrNotFound(contactId);
    const now = new Date();
    const occurredAt = req.occurred_at ? new Date(req.occurred_at) : now;
    if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_MS) {
      throw new ValidationFailed([{ field: 'occurred_at', code: 'invalid', message: 'occurred_at is more than a day in the future' }]);
    }
    const scope = scopeOf(ctx);
    return this.dataSource.transaction(async (m) => {
      // Share-lock the contact so a concurrent GDPR delete cannot leave an orphan activity behind.
      const exists: unknown[] = await m.query(
        `SELECT 1 FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id = $3 FOR SHARE`,
        [scope.tenantId, scope.mode, id],
      );
      if (!exists.length) throw new NotFound('contact', id);
      const activity: ActivityView = {
        id: newId('act', occurredAt.getTime()),
        contact_id: id,
        type: req.type,
        occurred_at: occurredAt.toISOString(),
        properties: req.properties ?? {},
        created_at: now.toISOString(),
      };
      await m.query(
        `INSERT INTO activities (id, tenant_id, mode, contact_id, type, occurred_at, properties, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [activity.id, scope.tenantId, scope.mode, id, activity.type, activity.occurred_at, JSON.stringify(activity.properties), now],
      );
      const { created_at: _created, contact_id: _contact, ...event } = activity;
      await this.outbox.append(m, [
        { type: 'contact.activity_recorded', tenant_id: ctx.tenant_id, mode: ctx.mode, key: id, data: { contact_id: id, activity: event } },
      ]);
      return activity;
    });
  }

  async list(ctx: RequestContext, contactId: unknown, query: ListActivitiesQuery): Promise<Paged<ActivityView>> {
    const id = contactIdOrNotFound(contactId);
    const scope = scopeOf(ctx);
    if (!(await this.contacts.findById(this.dataSource.manager, scope, id))) throw new NotFound('contact', id);
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isActivityPosition);
    const params: unknown[] = [scope.tenantId, scope.mode, id];
    const where = ['tenant_id = $1', 'mode = $2', 'contact_id = $3'];
    if (query.type) {
      params.push(query.type);
      where.push(`type = $${params.length}`);
    }
    if (window.after) {
      params.push(...window.after);
      where.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(window.limit + 1, window.offset);
    const rows: ActivityRow[] = await this.dataSource.query(
      `SELECT id, contact_id, type, occurred_at, occurred_at::text AS occurred_pos, properties, created_at FROM activities
       WHERE ${where.join(' AND ')}
       ORDER BY occurred_at DESC, id DESC
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    // The page number is echoed only when the client asked for one (as before the shared helper).
    const { items, meta } = keysetPage(rows, { limit: window.limit, page: query.page }, (r): ActivityPosition => [r.occurred_pos, r.id]);
    return new Paged(items.map(view), meta);
  }
}

/** Newest first: the position is (occurred_at as PostgreSQL prints it, id). */
type ActivityPosition = [string, string];
function isActivityPosition(value: unknown): value is ActivityPosition {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string') && PG_TIMESTAMP.test(value[0]);
}
