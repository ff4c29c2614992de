-- 004_sharing: data sharing and exchange (数据共享交换, docs/sharing.md):
-- the resource catalog and its rows, share requests and grants, API keys of
-- department systems, access records with their data subjects; supervision
-- items gain kind 'share_overdue' tied to a share request.
-- Days (valid_from, valid_to) are 'YYYY-MM-DD'; *_day are day numbers.

CREATE TABLE data_resources (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  fields TEXT NOT NULL,           -- JSON [{name, label, type, sensitivity, mask?}]
  key_field TEXT NOT NULL,
  subject_field TEXT,
  share_type TEXT NOT NULL CHECK (share_type IN ('unconditional', 'conditional', 'none')),
  share_conditions TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  share_method TEXT NOT NULL CHECK (share_method IN ('api', 'file', 'both')),
  open_type TEXT NOT NULL CHECK (open_type IN ('open', 'conditional', 'closed')),
  update_cycle TEXT NOT NULL CHECK (update_cycle IN ('realtime', 'daily', 'weekly', 'monthly',
    'quarterly', 'yearly')),
  row_count INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX data_resources_dept ON data_resources(dept_id, id);

CREATE TABLE resource_rows (
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  key TEXT NOT NULL,
  subject TEXT,                   -- ID number or credit code of the data subject
  data TEXT NOT NULL,             -- canonical JSON object of the row
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (resource_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX resource_rows_subject ON resource_rows(subject, resource_id);

CREATE TABLE share_requests (
  id INTEGER PRIMARY KEY,
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  consumer_dept INTEGER NOT NULL REFERENCES departments(id),
  requested_by INTEGER REFERENCES users(id),
  fields TEXT NOT NULL,           -- JSON array of field names
  clear_fields TEXT NOT NULL,     -- JSON array, a subset of fields
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  rate_limit INTEGER NOT NULL CHECK (rate_limit BETWEEN 1 AND 1000000),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
  submitted_at INTEGER NOT NULL,
  due_day INTEGER,
  due_at INTEGER,
  decided_at INTEGER,
  decided_by INTEGER REFERENCES users(id),
  reason TEXT,
  grant_id INTEGER
) STRICT;
CREATE INDEX share_requests_consumer ON share_requests(consumer_dept, id);
CREATE INDEX share_requests_resource ON share_requests(resource_id, id);
CREATE INDEX share_requests_pending ON share_requests(status, due_at);

CREATE TABLE grants (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES share_requests(id),
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  consumer_dept INTEGER NOT NULL REFERENCES departments(id),
  fields TEXT NOT NULL,
  clear_fields TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  rate_limit INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_by INTEGER REFERENCES users(id),
  revoke_reason TEXT
) STRICT;
CREATE INDEX grants_consumer ON grants(consumer_dept, id);
CREATE INDEX grants_resource ON grants(resource_id, id);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,  -- SM3 hex of the key; the key is shown once
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  name TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX api_keys_dept ON api_keys(dept_id, id);

CREATE TABLE access_records (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  grant_id INTEGER NOT NULL REFERENCES grants(id),
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  consumer_dept INTEGER NOT NULL REFERENCES departments(id),
  user_id INTEGER REFERENCES users(id),
  api_key_id INTEGER REFERENCES api_keys(id),
  purpose TEXT NOT NULL,
  query TEXT NOT NULL,
  rows INTEGER NOT NULL,
  audit_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX access_records_consumer ON access_records(consumer_dept, id);
CREATE INDEX access_records_resource ON access_records(resource_id, id);
CREATE INDEX access_records_grant ON access_records(grant_id, id);

CREATE TABLE access_subjects (
  subject TEXT NOT NULL,
  access_id INTEGER NOT NULL REFERENCES access_records(id),
  PRIMARY KEY (subject, access_id)
) STRICT, WITHOUT ROWID;

-- supervision_items: kind 'share_overdue' and request_id. SQLite cannot
-- alter a CHECK constraint, so the table is rebuilt.
CREATE TABLE supervision_items_new (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('overdue', 'bad_rating', 'complaint', 'share_overdue')),
  case_id INTEGER REFERENCES cases(id),
  request_id INTEGER REFERENCES share_requests(id),
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  owner_id INTEGER REFERENCES users(id),
  title TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  due_day INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  outcome TEXT,
  closed_at INTEGER,
  closed_by INTEGER REFERENCES users(id),
  UNIQUE (kind, case_id),
  UNIQUE (kind, request_id)
) STRICT;
INSERT INTO supervision_items_new (id, kind, case_id, dept_id, owner_id, title, opened_at,
  due_day, due_at, status, outcome, closed_at, closed_by)
  SELECT id, kind, case_id, dept_id, owner_id, title, opened_at, due_day, due_at, status,
    outcome, closed_at, closed_by FROM supervision_items;
DROP TABLE supervision_items;
ALTER TABLE supervision_items_new RENAME TO supervision_items;
CREATE INDEX supervision_dept ON supervision_items(dept_id, status, due_at);
