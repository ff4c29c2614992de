-- 013_devkeys: developer API keys for the open data portal (docs/opendata.md).
-- Any signed-in person may hold up to 5 active keys for their own apps; a
-- key in the X-API-Key header raises the open-data rate limit from the
-- anonymous one. Only the SM3 hash of a key is stored (the key is shown
-- once); prefix is its first characters, so the owner can tell keys apart.

CREATE TABLE dev_api_keys (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,  -- SM3 hex of the key
  prefix TEXT NOT NULL,           -- "ztd_" + 8 characters of the key
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,           -- updated at most once a minute per key
  revoked_at INTEGER
) STRICT;
CREATE INDEX dev_api_keys_user ON dev_api_keys(user_id, id);
