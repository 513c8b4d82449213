import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (SPEC §15, docs/audit.md): one row per audited event, written
 * only through the role `sigil_audit_writer` (INSERT and SELECT, nothing
 * else). Triggers refuse UPDATE, DELETE and TRUNCATE for every role, the
 * table's owner included; the one exception is `audit_log_purge`, the 1-year
 * retention, which may delete only rows older than a year.
 */
export class AuditLog1764900000100 implements MigrationInterface {
  name = 'AuditLog1764900000100';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: provisioning (tools/infra, compose-init) makes it; a superuser migrator may too.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sigil_audit_writer') THEN
          BEGIN
            CREATE ROLE sigil_audit_writer NOLOGIN;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role sigil_audit_writer is missing and % may not create it: run CREATE ROLE sigil_audit_writer NOLOGIN; GRANT sigil_audit_writer TO %; as a superuser', current_user, current_user;
          END;
        END IF;
        IF NOT pg_has_role(current_user, 'sigil_audit_writer', 'MEMBER') THEN
          EXECUTE format('GRANT sigil_audit_writer TO %I', current_user);
        END IF;
      END $$`);
    await q.query(`
      CREATE TABLE audit_log (
        id             text PRIMARY KEY,
        tenant_id      text NOT NULL,
        mode           text NOT NULL,
        occurred_at    timestamptz NOT NULL,
        action         text NOT NULL,
        actor_type     text NOT NULL,
        actor_id       text NOT NULL,
        resource_type  text NOT NULL,
        resource_id    text,
        ip             text,
        user_agent     text,
        request_id     text,
        changes        jsonb NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // Newest first, per tenant, alone or with one filter: each query reads one index range in order.
    await q.query(`CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_tenant_action ON audit_log (tenant_id, action, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_tenant_resource ON audit_log (tenant_id, resource_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at)`);
    await q.query(`REVOKE ALL ON audit_log FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO sigil_audit_writer`);
    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('sigil.audit_purge', true) = 'on' THEN
          IF OLD.occurred_at < now() - interval '365 days' THEN
            RETURN OLD;
          END IF;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
    // The retention path: a batch of entries older than a year (the trigger re-checks every row's age).
    await q.query(`
      CREATE FUNCTION audit_log_purge(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE n integer;
      BEGIN
        PERFORM set_config('sigil.audit_purge', 'on', true);
        DELETE FROM audit_log WHERE id IN (
          SELECT id FROM audit_log WHERE occurred_at < now() - interval '365 days' ORDER BY occurred_at LIMIT batch);
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM set_config('sigil.audit_purge', 'off', true);
        RETURN n;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_log_purge(integer) FROM PUBLIC`);

    // Usage analytics (SPEC §15): per credential, hour, route and outcome; kept 90 days.
    await q.query(`
      CREATE TABLE usage_hourly (
        tenant_id      text NOT NULL,
        credential_id  text NOT NULL,
        hour           timestamptz NOT NULL,
        route          text NOT NULL,
        outcome        text NOT NULL,
        count          bigint NOT NULL,
        PRIMARY KEY (tenant_id, credential_id, hour, route, outcome)
      )`);
    await q.query(`CREATE INDEX usage_hourly_tenant_hour ON usage_hourly (tenant_id, hour)`);
    await q.query(`CREATE INDEX usage_hourly_hour ON usage_hourly (hour)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usage_hourly`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_purge(integer)`);
    await q.query(`DROP FUNCTION audit_log_refuse_change()`);
  }
}
