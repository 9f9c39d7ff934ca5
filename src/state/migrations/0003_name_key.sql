-- Each user name's key for "looks the same": Unicode NFKC, then lower case (nameKey in
-- src/state/directory.ts). No two users of a realm may share a key, so that `Alice` cannot stand
-- beside `alice`. Rows stored before this column take SQLite's lower(), which folds ASCII only.
ALTER TABLE users ADD COLUMN name_key TEXT;
UPDATE users SET name_key = lower(username);
CREATE INDEX users_name_key ON users (realm, name_key);
