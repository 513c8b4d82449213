-- Init script for the official postgres Docker image (mount into /docker-entrypoint-initdb.d/).
-- Creates the `sigil` role (if POSTGRES_USER is not already sigil) and the four service databases.
-- Runs via psql as POSTGRES_USER on first start of an empty data dir; safe to re-run (\gexec).
-- Mirrors what tools/infra/infra.sh provisions for the native (no-Docker) setup.

SELECT 'CREATE ROLE sigil LOGIN CREATEDB PASSWORD ''sigil'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sigil')
\gexec

ALTER ROLE sigil LOGIN CREATEDB;

-- The audit log's writer (docs/audit.md): INSERT and SELECT only; the services assume it with SET ROLE.
SELECT 'CREATE ROLE sigil_audit_writer NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sigil_audit_writer')
\gexec

GRANT sigil_audit_writer TO sigil;

SELECT format('CREATE DATABASE %I OWNER sigil', d)
FROM unnest(ARRAY['sigil_keys', 'sigil_contacts', 'sigil_segments', 'sigil_webhooks']) AS d
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d)
\gexec
