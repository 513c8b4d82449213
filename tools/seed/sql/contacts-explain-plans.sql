-- The contacts service's list, search, batch and aggregate queries, as
-- contact-list.query.ts, contacts.repository.ts, suppressions.repository.ts
-- and custom-field-aggregates.ts build them, over tenant `ten_explain` of
-- contacts-explain-seed.sql (1 M contacts). Each is run twice; the second
-- run's plan (warm cache) is the one quoted in docs/contacts.md.
\set ON_ERROR_STOP on
\pset pager off
\set cols 'c.id, c.external_id, c.email, c.first_name, c.last_name, c.phone, c.tags, c.custom_fields, c.subscription_status, (EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = c.tenant_id AND s.mode = c.mode AND s.email = lower(c.email)) OR EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = c.tenant_id AND s.mode = c.mode AND s.domain = split_part(lower(c.email), \'@\', 2))) AS suppressed, c.version, c.created_at, c.updated_at, c.sync_xid::text AS sync_pos, c.updated_at::text AS updated_pos'

\echo '=== first page: GET /v1/contacts?limit=50'
SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' ORDER BY c.id ASC LIMIT 51 OFFSET 0 \g /dev/null
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== cursor page by updated_at desc: GET /v1/contacts?cursor=… (sort=-updated_at, middle of the tenant)'
SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND (c.updated_at, c.id) < ((SELECT updated_at FROM contacts WHERE id = 'con_00000000000000000000500000'), 'con_00000000000000000000500000') ORDER BY c.updated_at DESC, c.id DESC LIMIT 51 OFFSET 0 \g /dev/null
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND (c.updated_at, c.id) < ((SELECT updated_at FROM contacts WHERE id = 'con_00000000000000000000500000'), 'con_00000000000000000000500000') ORDER BY c.updated_at DESC, c.id DESC LIMIT 51 OFFSET 0;

\echo '=== cursor page by created_at (id): GET /v1/contacts?cursor=…'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.id > 'con_00000000000000000000500000' ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== tag filter, common tag (10 %): GET /v1/contacts?tag=vip'
SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.tags @> ARRAY['vip']::text[] ORDER BY c.id ASC LIMIT 51 OFFSET 0 \g /dev/null
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.tags @> ARRAY['vip']::text[] ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== tag filter, rare tag (0.01 %): GET /v1/contacts?tag=rare'
SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.tags @> ARRAY['rare']::text[] ORDER BY c.id ASC LIMIT 51 OFFSET 0 \g /dev/null
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.tags @> ARRAY['rare']::text[] ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== tag filter, tag of nobody: GET /v1/contacts?tag=nobody'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.tags @> ARRAY['nobody']::text[] ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== prefix search, common prefix: GET /v1/contacts?q=gra'
SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND (lower(c.email) LIKE 'gra%' OR lower(c.first_name) LIKE 'gra%' OR lower(c.last_name) LIKE 'gra%') ORDER BY c.id ASC LIMIT 51 OFFSET 0 \g /dev/null
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND (lower(c.email) LIKE 'gra%' OR lower(c.first_name) LIKE 'gra%' OR lower(c.last_name) LIKE 'gra%') ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== prefix search, one contact: GET /v1/contacts?q=user123456@'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND (lower(c.email) LIKE 'user123456@%' OR lower(c.first_name) LIKE 'user123456@%' OR lower(c.last_name) LIKE 'user123456@%') ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== sort by email desc: GET /v1/contacts?sort=-email'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' ORDER BY lower(c.email) DESC LIMIT 51 OFFSET 0;

-- A literal, as the service binds it (a subquery would hide its selectivity from the planner).
SELECT quote_literal(updated_at) AS since FROM contacts WHERE id = 'con_00000000000000000000990000' \gset
\echo '=== incremental sync, first page: GET /v1/contacts?updated_since=… (sync order; the last 10 000 changes of the tenant)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.updated_at >= :since AND c.sync_xid >= (SELECT min(u.sync_xid) FILTER (WHERE true) FROM contacts u WHERE u.tenant_id = 'ten_explain' AND u.mode = 'live' AND u.updated_at >= :since) AND c.sync_xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY c.sync_xid ASC, c.id ASC LIMIT 51 OFFSET 0;
\echo '=== the same without the starting position (before contacts_tenant_updated_sync)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.updated_at >= :since AND c.sync_xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY c.sync_xid ASC, c.id ASC LIMIT 51 OFFSET 0;

\echo '=== external_id lookup: GET /v1/contacts?external_id=crm-424242'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.external_id = 'crm-424242' ORDER BY c.id ASC LIMIT 51 OFFSET 0;

\echo '=== deep offset: GET /v1/contacts?page=200&limit=50'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' ORDER BY c.id ASC LIMIT 51 OFFSET 9950;

\echo '=== batch: lock 1 000 rows by email (ContactsRepository.findByEmails, FOR UPDATE)'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND lower(c.email) = ANY(ARRAY(SELECT 'user' || (g * 997) || '@' || (ARRAY['example.com','mail.test','corp.test','shop.test','news.test'])[(g * 997) % 5 + 1] FROM generate_series(1, 1000) g)) ORDER BY c.id FOR UPDATE;
ROLLBACK;

\echo '=== batch: holders of 1 000 external_ids (ContactsRepository.findByExternalIds)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM contacts c WHERE c.tenant_id = 'ten_explain' AND c.mode = 'live' AND c.external_id = ANY(ARRAY(SELECT 'crm-' || (g * 998) FROM generate_series(1, 1000) g)) ORDER BY c.id;

\echo '=== batch: which of 1 000 emails are suppressed (SuppressionsRepository.suppressedEmails)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT e.email FROM unnest(ARRAY(SELECT 'user' || g || '@news.test' FROM generate_series(1, 1000) g)) AS e(email)
  WHERE EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = 'ten_explain' AND s.mode = 'live' AND s.email = e.email)
     OR EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = 'ten_explain' AND s.mode = 'live' AND s.domain = split_part(e.email, '@', 2));

\echo '=== aggregate, number: GET /v1/custom-fields/ltv/aggregate'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) WITH g AS (SELECT value_num AS v, count(*) AS n FROM custom_field_values WHERE tenant_id = 'ten_explain' AND mode = 'live' AND field_key = 'ltv' AND value_num IS NOT NULL GROUP BY value_num)
  SELECT coalesce(sum(n), 0)::int AS count, count(*)::int AS distinct, min(v) AS min, max(v) AS max, sum(v * n) AS sum, sum(v * n) / nullif(sum(n), 0) AS avg FROM g;

\echo '=== aggregate, select: GET /v1/custom-fields/plan/aggregate'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) WITH g AS (SELECT value_text AS v, count(*) AS n FROM custom_field_values WHERE tenant_id = 'ten_explain' AND mode = 'live' AND field_key = 'plan' AND value_text IS NOT NULL GROUP BY value_text)
  SELECT (SELECT coalesce(sum(n), 0)::int FROM g) AS count, (SELECT count(*)::int FROM g) AS distinct,
         (SELECT coalesce(json_agg(json_build_array(t.v, t.n)), '[]') FROM (SELECT v, n FROM g ORDER BY n DESC, v LIMIT 10) t) AS top;

\echo '=== aggregate, multi_select markers: GET /v1/custom-fields/interests/aggregate (second statement)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*)::int AS n FROM custom_field_values WHERE tenant_id = 'ten_explain' AND mode = 'live' AND field_key = 'interests' AND value_num IS NOT NULL;

\echo '=== aggregate, date: GET /v1/custom-fields/signup_date/aggregate'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) WITH g AS (SELECT value_date AS v, count(*) AS n FROM custom_field_values WHERE tenant_id = 'ten_explain' AND mode = 'live' AND field_key = 'signup_date' AND value_date IS NOT NULL GROUP BY value_date)
  SELECT coalesce(sum(n), 0)::int AS count, count(*)::int AS distinct, min(v) AS min, max(v) AS max FROM g;

\echo '=== suppression by domain: one window of 5 000 contacts (SuppressionsRepository.touchDomainWindow)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT max(id) AS last, count(*)::int AS n FROM (SELECT id FROM contacts WHERE tenant_id = 'ten_explain' AND mode = 'live' AND id > 'con_00000000000000000000500000' ORDER BY id LIMIT 5000) w;
