-- 1. People search needs no new index on SQLite: `people_sort (tenant_id, sort_key, id, search_text)`
--    covers the substring match in display order, and keyset paging ((sort_key, id) > (…)) starts
--    inside that index instead of walking an OFFSET.

-- 2. One source of truth for a tenant's default language and time zone: the settings document (the
--    settings page edits it). Values chosen when the tenant was created move into it where the
--    document does not set them yet; the columns go.
UPDATE tenants SET settings = json_set(settings, '$.default_language', default_language)
 WHERE json_valid(settings) AND json_type(settings) = 'object'
   AND json_type(settings, '$.default_language') IS NULL;
UPDATE tenants SET settings = json_set(settings, '$.time_zone', time_zone)
 WHERE json_valid(settings) AND json_type(settings) = 'object'
   AND json_type(settings, '$.time_zone') IS NULL;
ALTER TABLE tenants DROP COLUMN default_language;
ALTER TABLE tenants DROP COLUMN time_zone;

-- 3. Failed sign-ins per client address in a time window (vakt-core `auth::ip_throttle`).
CREATE INDEX audit_events_action_ip_at ON audit_events (tenant_id, action, ip, at);
