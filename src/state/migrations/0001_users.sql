-- The user directory (binding USERS_DB). One table for every realm: `realm` is "" for the
-- first (default) realm and the realm's name for the others, so realms never see each other's
-- users. Passwords are PBKDF2-HMAC-SHA256 strings (pbkdf2-sha256$<iterations>$<salt>$<hash>);
-- claims are a JSON object of claim name to an array of string values; times are epoch ms.
CREATE TABLE users (
  realm TEXT NOT NULL,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  claims TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (realm, username)
) WITHOUT ROWID;

-- Facts about a realm's directory that must outlive a restart, such as whether the
-- development users were seeded (so that a deleted one stays deleted).
CREATE TABLE directory_meta (
  realm TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (realm, key)
) WITHOUT ROWID;
