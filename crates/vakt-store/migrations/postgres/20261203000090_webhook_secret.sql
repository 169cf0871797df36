-- The secret that signs a tenant's webhook posts (HMAC-SHA256), sealed with the server's secret
-- key like TOTP seeds; NULL = posts are sent unsigned.
ALTER TABLE dev_config ADD COLUMN webhook_secret TEXT;
