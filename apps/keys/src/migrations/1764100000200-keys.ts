import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, users, sessions, API keys and their secrets, usage counters. */
export class Keys1764100000200 implements MigrationInterface {
  name = 'Keys1764100000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id          text PRIMARY KEY,
        name        text NOT NULL,
        plan        text NOT NULL CHECK (plan IN ('starter', 'pro', 'agency')),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id             text PRIMARY KEY,
        tenant_id      text NOT NULL REFERENCES tenants(id),
        email          text NOT NULL,
        password_hash  text NOT NULL,
        role           text NOT NULL CHECK (role IN ('owner', 'member')),
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email ON users (lower(email))`);
    await q.query(`CREATE INDEX users_tenant ON users (tenant_id)`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id           text PRIMARY KEY,
        tenant_id    text NOT NULL,
        user_id      text NOT NULL REFERENCES users(id),
        family_id    text NOT NULL,
        token_hash   text NOT NULL UNIQUE,
        expires_at   timestamptz NOT NULL,
        rotated_at   timestamptz,
        revoked_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id)`);
    await q.query(`
      CREATE TABLE login_failures (
        email      text NOT NULL,
        failed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX login_failures_email ON login_failures (email, failed_at)`);
    await q.query(`
      CREATE TABLE api_keys (
        id                     text PRIMARY KEY,
        tenant_id              text NOT NULL REFERENCES tenants(id),
        name                   text NOT NULL,
        environment            text NOT NULL CHECK (environment IN ('live', 'test')),
        prefix                 text NOT NULL,
        last4                  text NOT NULL,
        scopes                 text[] NOT NULL,
        rate_limit_per_minute  integer,
        expires_at             timestamptz,
        last_used_at           timestamptz,
        revoked_at             timestamptz,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id)`);
    await q.query(`
      CREATE TABLE api_key_secrets (
        secret_hash  text PRIMARY KEY,
        tenant_id    text NOT NULL,
        key_id       text NOT NULL REFERENCES api_keys(id),
        expires_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_key_secrets_key ON api_key_secrets (tenant_id, key_id)`);
    await q.query(`
      CREATE TABLE usage_daily (
        tenant_id      text NOT NULL,
        credential_id  text NOT NULL,
        day            date NOT NULL,
        status_class   text NOT NULL,
        count          bigint NOT NULL,
        PRIMARY KEY (tenant_id, credential_id, day, status_class)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['usage_daily', 'api_key_secrets', 'api_keys', 'login_failures', 'refresh_tokens', 'users', 'tenants']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
