import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Endpoints (with their signing secrets), deliveries (one per event and endpoint) and every attempt. */
export class Webhooks1764100000410 implements MigrationInterface {
  name = 'Webhooks1764100000410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id                          text PRIMARY KEY,
        tenant_id                   text NOT NULL,
        mode                        text NOT NULL CHECK (mode IN ('live', 'test')),
        url                         text NOT NULL,
        events                      text[] NOT NULL,
        description                 text,
        enabled                     boolean NOT NULL DEFAULT true,
        disabled_reason             text,
        secret                      text NOT NULL,
        previous_secret             text,
        previous_secret_expires_at  timestamptz,
        failing_since               timestamptz,
        created_at                  timestamptz NOT NULL DEFAULT now(),
        updated_at                  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, mode, id)`);
    // Fan-out: the enabled endpoints of a tenant whose filters overlap an event's matching filters.
    await q.query(`CREATE INDEX webhook_endpoints_fanout ON webhook_endpoints USING gin (events) WHERE enabled`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id                text PRIMARY KEY,
        tenant_id         text NOT NULL,
        mode              text NOT NULL,
        endpoint_id       text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id          text NOT NULL,
        event_type        text NOT NULL,
        body              text NOT NULL,
        status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        generation        integer NOT NULL DEFAULT 0,
        attempt_count     integer NOT NULL DEFAULT 0,
        last_status_code  integer,
        last_error        text,
        next_attempt_at   timestamptz,
        delivered_at      timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (endpoint_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, mode, endpoint_id, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)`);
    await q.query(`CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        delivery_id    text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt        integer NOT NULL,
        tenant_id      text NOT NULL,
        mode           text NOT NULL,
        attempted_at   timestamptz NOT NULL,
        status_code    integer,
        latency_ms     integer NOT NULL,
        response_body  text,
        error          text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_attempts');
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhook_endpoints');
  }
}
