-- 1. People search: the trigram index (pg_trgm) that serves `search_text LIKE '%word%'` is not made
--    here but by `Db::migrate` after the migrations (vakt-store `people::ensure_search_index`), at every
--    start until it exists: the extension may be missing or not creatable by the role now and become
--    available later, and a migration runs only once.

-- 2. One source of truth for a tenant's default language and time zone: the settings document (the
--    settings page edits it). Values chosen when the tenant was created move into it where the
--    document does not set them yet; the columns go.
UPDATE tenants SET settings = jsonb_set(settings, '{default_language}', to_jsonb(default_language))
 WHERE jsonb_typeof(settings) = 'object' AND NOT settings ? 'default_language';
UPDATE tenants SET settings = jsonb_set(settings, '{time_zone}', to_jsonb(time_zone))
 WHERE jsonb_typeof(settings) = 'object' AND NOT settings ? 'time_zone';
ALTER TABLE tenants DROP COLUMN default_language, DROP COLUMN time_zone;

-- 3. Failed sign-ins per client address in a time window (vakt-core `auth::ip_throttle`).
CREATE INDEX audit_events_action_ip_at ON audit_events (tenant_id, action, ip, at);
