-- The claim names directory users hold or have held, per realm, for federation metadata's
-- ClaimTypesOffered: kept as users are written (never removed, so a name stays offered after
-- its last holder loses it), read with one indexed query however many users there are.
CREATE TABLE claim_names (
  realm TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (realm, name)
) WITHOUT ROWID;

-- The names of the users already stored.
INSERT OR IGNORE INTO claim_names (realm, name) SELECT DISTINCT users.realm, j.key FROM users, json_each(users.claims) AS j;
