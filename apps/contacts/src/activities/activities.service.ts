/** Activities of a contact (`purchase`, `page_view`…): recorded with an event, listed newest first. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ACTIVITY_MAX_FUTURE_SECONDS,
  DEFAULT_PAGE_LIMIT,
  type ActivityView,
  type RequestContext,
  type ListActivitiesQuery,
  type RecordActivityRequest,
} from '@sigil/contracts';
import { keysetPage, NotFound, OutboxWriter, Paged, pageWindow, ValidationFailed, newId, scopeOf } from '@sigil/platform';
import { PG_TIMESTAMP } from '../contacts/contact-list.query';
import { contactIdOrNotFound } from '../contacts/contacts.service';
import { ContactsRepository } from '../contacts/contacts.repository';
import { ActivitiesRepository, activityView } from './activities.repository';

/** Activities dated further ahead than this are refused (clock skew is fine, typos are not); the document states it. */
const MAX_FUTURE_MS = ACTIVITY_MAX_FUTURE_SECONDS * 1000;

@Injectable()
export class ActivitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly activities: ActivitiesRepository,
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
      if (!(await this.contacts.lockShared(m, scope, id))) throw new NotFound('contact', id);
      const activity: ActivityView = {
        id: newId('act', occurredAt.getTime()),
        contact_id: id,
        type: req.type,
        occurred_at: occurredAt.toISOString(),
        properties: req.properties ?? {},
        created_at: now.toISOString(),
      };
      await this.activities.insert(m, scope, activity, now);
      const { created_at: _created, contact_id: _contact, ...event } = activity;
      await this.outbox.append(m, [{ type: 'contact.activity_recorded', tenant_id: ctx.tenant_id, mode: ctx.mode, key: id, data: { contact_id: id, activity: event } }]);
      return activity;
    });
  }

  async list(ctx: RequestContext, contactId: unknown, query: ListActivitiesQuery): Promise<Paged<ActivityView>> {
    const id = contactIdOrNotFound(contactId);
    const scope = scopeOf(ctx);
    if (!(await this.contacts.findById(this.dataSource.manager, scope, id))) throw new NotFound('contact', id);
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isActivityPosition);
    const rows = await this.activities.page(this.dataSource.manager, scope, id, {
      type: query.type,
      after: window.after,
      limit: window.limit + 1,
      offset: window.offset,
    });
    // The page number is echoed only when the client asked for one (as before the shared helper).
    const { items, meta } = keysetPage(rows, { limit: window.limit, page: query.page }, (r): ActivityPosition => [r.occurred_pos, r.id]);
    return new Paged(items.map(activityView), meta);
  }
}

/** Newest first: the position is (occurred_at as PostgreSQL prints it, id). */
type ActivityPosition = [string, string];
function isActivityPosition(value: unknown): value is ActivityPosition {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string') && PG_TIMESTAMP.test(value[0]);
}
