-- 011_fed_share: cross-node data sharing and flow-back (数据回流)
-- (docs/federation.md, "Cross-node sharing and flow-back").

-- The change order of a resource's rows. Every insert or update of a row
-- takes the next value of its resource's counter (data_resources.row_seq),
-- allocated by an UPDATE of the resource's row in the writing transaction:
-- that row stays locked until commit, so rows commit in seq order however
-- many processes write. Existing rows are numbered in key order.
ALTER TABLE resource_rows ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE data_resources ADD COLUMN row_seq INTEGER NOT NULL DEFAULT 0;
-- The field holding a row's region code (GB/T 2260), for flow-back
-- subscriptions filtered by region; NULL = the resource has none.
ALTER TABLE data_resources ADD COLUMN region_field TEXT;
UPDATE resource_rows SET seq = n.rn
  FROM (SELECT resource_id AS rid, key AS k,
          row_number() OVER (PARTITION BY resource_id ORDER BY key) AS rn
        FROM resource_rows) AS n
  WHERE resource_rows.resource_id = n.rid AND resource_rows.key = n.k;
UPDATE data_resources SET row_seq =
  (SELECT coalesce(max(seq), 0) FROM resource_rows WHERE resource_id = data_resources.id);
CREATE UNIQUE INDEX resource_rows_seq ON resource_rows(resource_id, seq);

-- Consumer side: requests (kind 'request') and flow-back subscriptions
-- (kind 'subscription') that this node's departments sent to the node of
-- provider_region, and the terms that node decided. A granted request is
-- the consumer's grant (its id is the grant id of the exchange).
CREATE TABLE fed_share_requests (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('request', 'subscription')),
  consumer_dept INTEGER NOT NULL REFERENCES departments(id),
  requested_by INTEGER REFERENCES users(id),
  provider_region TEXT NOT NULL,
  resource_code TEXT NOT NULL,
  resource_name TEXT NOT NULL,
  provider_name TEXT NOT NULL DEFAULT '', -- the provider department, as its node names it
  fields TEXT NOT NULL,                   -- JSON array; the granted ones once decided
  clear_fields TEXT NOT NULL,             -- JSON array, a subset of fields
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL DEFAULT '',
  valid_from TEXT,                        -- requests: 'YYYY-MM-DD'
  valid_to TEXT,
  rate_limit INTEGER,                     -- requests: calls a minute
  regions TEXT,                           -- subscriptions: JSON array of region codes
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'granted', 'refused', 'revoked')),
  remote_id INTEGER,                      -- the provider's fed_share_incoming.id
  reason TEXT,                            -- of a refusal or revocation
  submitted_at INTEGER NOT NULL,
  decided_at INTEGER,
  revoked_at INTEGER,
  -- flow-back: the feed's cursor (the provider's row seq) and sync state
  feed_cursor INTEGER NOT NULL DEFAULT 0,
  received INTEGER NOT NULL DEFAULT 0,    -- row versions applied
  synced_at INTEGER,
  sync_error TEXT,
  sync_error_at INTEGER
) STRICT;
CREATE INDEX fed_share_requests_dept ON fed_share_requests(consumer_dept, id);
CREATE INDEX fed_share_requests_state ON fed_share_requests(kind, state);

-- Consumer side: every exchange call through a remote grant.
CREATE TABLE fed_share_access (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id INTEGER NOT NULL REFERENCES fed_share_requests(id),
  consumer_dept INTEGER NOT NULL REFERENCES departments(id),
  user_id INTEGER REFERENCES users(id),
  api_key_id INTEGER REFERENCES api_keys(id),
  purpose TEXT NOT NULL,
  query TEXT NOT NULL,
  fields TEXT NOT NULL,                   -- JSON array of the fields answered
  rows INTEGER NOT NULL,
  remote_access_id INTEGER,               -- the provider's fed_share_served.id
  audit_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX fed_share_access_request ON fed_share_access(request_id, id);
CREATE INDEX fed_share_access_dept ON fed_share_access(consumer_dept, id);

-- Consumer side: rows received by a subscription (masked as granted),
-- one per key, the newest version (seq) kept.
CREATE TABLE fed_rows (
  request_id INTEGER NOT NULL REFERENCES fed_share_requests(id),
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (request_id, key)
) STRICT, WITHOUT ROWID;

-- Provider side: requests and subscriptions received from other nodes'
-- departments, decided by this node's data officers with the rules of
-- local requests; an approved one is that consumer's grant here.
CREATE TABLE fed_share_incoming (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('request', 'subscription')),
  sender TEXT NOT NULL,                   -- region code of the consumer's node
  remote_id INTEGER NOT NULL,             -- that node's fed_share_requests.id
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  consumer_region TEXT NOT NULL,          -- region of the consumer department
  consumer_name TEXT NOT NULL,            -- its name, as its node gives it
  consumer_code TEXT NOT NULL DEFAULT '', -- its unified social credit code
  requested_by TEXT NOT NULL DEFAULT '',  -- the official's name
  fields TEXT NOT NULL,
  clear_fields TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL DEFAULT '',
  valid_from TEXT,
  valid_to TEXT,
  rate_limit INTEGER,
  regions TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'revoked')),
  submitted_at INTEGER NOT NULL,
  due_day INTEGER,
  due_at INTEGER,
  decided_at INTEGER,
  decided_by INTEGER REFERENCES users(id),
  reason TEXT,
  revoked_at INTEGER,
  revoked_by INTEGER REFERENCES users(id),
  -- subscriptions: the secret of the pseudonymous row keys of the feed
  -- (HMAC-SM3), used when the grant does not give the key field in clear
  feed_salt TEXT,
  UNIQUE (sender, remote_id)
) STRICT;
CREATE INDEX fed_share_incoming_resource ON fed_share_incoming(resource_id, id);

-- Provider side: every row fetch and every non-empty feed page served to
-- another node, with the data subjects of the rows (shown to them).
CREATE TABLE fed_share_served (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  incoming_id INTEGER NOT NULL REFERENCES fed_share_incoming(id),
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  kind TEXT NOT NULL CHECK (kind IN ('fetch', 'feed')),
  by_name TEXT NOT NULL DEFAULT '',       -- the consumer's official or system
  purpose TEXT NOT NULL,
  query TEXT NOT NULL,
  rows INTEGER NOT NULL,
  audit_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX fed_share_served_incoming ON fed_share_served(incoming_id, id);
CREATE TABLE fed_share_served_subjects (
  subject TEXT NOT NULL,
  served_id INTEGER NOT NULL REFERENCES fed_share_served(id),
  PRIMARY KEY (subject, served_id)
) STRICT, WITHOUT ROWID;
