-- Seeds a migrated contacts database, all in SQL (generate_series), for the
-- query plans in docs/contacts.md ("Query plans at 1 M contacts"): 1 000 000
-- contacts in tenant `ten_explain` (live), 200 000 more spread over 20 other
-- tenants, custom fields ltv/plan/signup_date/interests with their typed
-- value rows (as tools/seed's generator fills them), 500 suppressions, then
-- VACUUM ANALYZE. Run against a database of your own, never a shared one:
--   createdb sigil_contacts_explain
--   DATABASE_URL=postgres://…/sigil_contacts_explain node dist/apps/contacts/src/migrate.js
--   psql postgres://…/sigil_contacts_explain -f tools/seed/sql/contacts-explain-seed.sql
--   psql postgres://…/sigil_contacts_explain -f tools/seed/sql/contacts-explain-plans.sql
\set ON_ERROR_STOP on
SET synchronous_commit = off;

INSERT INTO custom_fields (tenant_id, mode, key, label, type, options, required, created_at, updated_at)
SELECT t, 'live', f.key, f.label, f.type, f.options, false, now(), now()
FROM (SELECT 'ten_explain' AS t UNION ALL SELECT 'ten_other_' || n FROM generate_series(1, 20) n) tenants,
     (VALUES ('ltv', 'Lifetime value', 'number', NULL::text[]),
             ('plan', 'Plan', 'select', ARRAY['free', 'starter', 'pro', 'team', 'enterprise']),
             ('signup_date', 'Signup date', 'date', NULL),
             ('interests', 'Interests', 'multi_select', ARRAY['news', 'sport', 'music', 'tech', 'travel', 'food'])) AS f(key, label, type, options);

-- g = 1..1 200 000: the first million are ten_explain's. Ids sort by creation time, as real ones do.
CREATE TEMP TABLE seed AS
SELECT g,
       CASE WHEN g <= 1000000 THEN 'ten_explain' ELSE 'ten_other_' || (g % 20 + 1) END AS tenant_id,
       'con_' || lpad(g::text, 26, '0') AS id,
       now() - make_interval(secs => (1200000 - g) * 10) AS at,
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Radia','Linus','Frances','John'])[g % 12 + 1] AS first_name,
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Perlman','Torvalds','Allen','Backus'])[(g * 7) % 12 + 1] AS last_name,
       ARRAY(SELECT DISTINCT unnest(ARRAY[(ARRAY['vip','newsletter','customer','lead','churned','beta'])[g % 6 + 1]]
                                    || CASE WHEN g % 10 = 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END
                                    || CASE WHEN g % 10000 = 0 THEN ARRAY['rare'] ELSE ARRAY[]::text[] END)) AS tags,
       CASE WHEN g % 4 <> 0 THEN round(((g::bigint * 7919) % 100000) / 100.0, 1) END AS ltv,
       (ARRAY['free','starter','pro','team','enterprise'])[(g * 31) % 5 + 1] AS plan,
       CASE WHEN g % 3 <> 0 THEN (date '2020-01-01' + (g % 2000))::text END AS signup_date,
       CASE WHEN g % 2 = 0 THEN ARRAY(SELECT o FROM unnest(ARRAY['news','sport','music','tech','travel','food']) WITH ORDINALITY AS x(o, k)
                                      WHERE (g / 2 + k) % 3 = 0) END AS interests
FROM generate_series(1, 1200000) g;

INSERT INTO contacts (id, tenant_id, mode, external_id, email, first_name, last_name, phone, tags, custom_fields, subscription_status,
                      version, created_at, updated_at, sync_xid)
SELECT id, tenant_id, 'live',
       CASE WHEN g % 2 = 0 THEN 'crm-' || g END,
       'user' || g || '@' || (ARRAY['example.com','mail.test','corp.test','shop.test','news.test'])[g % 5 + 1],
       first_name, last_name, NULL, tags,
       jsonb_strip_nulls(jsonb_build_object('ltv', ltv, 'plan', plan, 'signup_date', signup_date, 'interests', to_jsonb(interests))),
       CASE WHEN g % 50 = 0 THEN 'unsubscribed' ELSE 'subscribed' END,
       -- Sync positions rise with creation, below the current transaction id (the list only returns rows older than every running one).
       1, at, at, (g::bigint * (txid_current() - 1) / 1200000)::text::xid8
FROM seed;

INSERT INTO custom_field_values (tenant_id, mode, field_key, contact_id, value_text, value_num, value_date)
SELECT tenant_id, 'live', 'ltv', id, NULL::text, ltv::float8, NULL::timestamptz FROM seed WHERE ltv IS NOT NULL
UNION ALL SELECT tenant_id, 'live', 'plan', id, plan, NULL, NULL FROM seed
UNION ALL SELECT tenant_id, 'live', 'signup_date', id, NULL, NULL, (signup_date || 'T00:00:00Z')::timestamptz FROM seed WHERE signup_date IS NOT NULL
UNION ALL SELECT tenant_id, 'live', 'interests', id, NULL, cardinality(interests), NULL FROM seed WHERE interests IS NOT NULL AND cardinality(interests) > 0
UNION ALL SELECT tenant_id, 'live', 'interests', id, o, NULL, NULL FROM seed, unnest(interests) o WHERE interests IS NOT NULL;

INSERT INTO suppressions (id, tenant_id, mode, email, domain, reason)
SELECT 'sup_' || lpad(g::text, 26, '0'), 'ten_explain', 'live', 'user' || (g * 1999) || '@example.com', NULL, 'seed' FROM generate_series(1, 499) g
UNION ALL SELECT 'sup_' || lpad('500', 26, '0'), 'ten_explain', 'live', NULL, 'news.test', 'seed';

VACUUM ANALYZE contacts;
VACUUM ANALYZE custom_field_values;
VACUUM ANALYZE suppressions;
