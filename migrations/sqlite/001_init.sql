-- 001_init: organisation, accounts, catalog, cases, supervision, audit.
-- Times are Unix seconds (UTC); calendar days are 'YYYY-MM-DD' (China time)
-- or day numbers since 1970-01-01 where arithmetic is needed (*_day).

CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('national', 'province', 'city', 'county')),
  parent TEXT REFERENCES regions(code)
) STRICT;

CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  region_code TEXT NOT NULL REFERENCES regions(code),
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('citizen', 'enterprise', 'official')),
  login TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  id_number TEXT UNIQUE,
  credit_code TEXT UNIQUE,
  phone TEXT,
  password_hash TEXT NOT NULL,
  dept_id INTEGER REFERENCES departments(id),
  roles INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id),
  CHECK (kind <> 'official' OR dept_id IS NOT NULL)
) STRICT;
CREATE INDEX users_dept ON users(dept_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  loaded_at INTEGER NOT NULL
) STRICT;

CREATE TABLE calendar_days (
  day TEXT PRIMARY KEY,
  year INTEGER NOT NULL REFERENCES calendar_years(year),
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name TEXT NOT NULL
) STRICT;

CREATE TABLE service_items (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('XK','QR','GF','CF','QZ','ZS','JC','JL','CJ','GG','QT')),
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  region_code TEXT NOT NULL REFERENCES regions(code),
  target TEXT NOT NULL CHECK (target IN ('citizen', 'enterprise', 'both')),
  legal_days INTEGER NOT NULL CHECK (legal_days >= 0),
  promised_days INTEGER NOT NULL CHECK (promised_days >= 0 AND promised_days <= legal_days),
  depth INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 7),
  max_visits INTEGER NOT NULL CHECK (max_visits >= 0),
  fee TEXT NOT NULL,
  conditions TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  process TEXT NOT NULL,          -- JSON array of step strings
  place TEXT NOT NULL,
  office_hours TEXT NOT NULL,
  consult TEXT NOT NULL,
  complaint TEXT NOT NULL,
  channels INTEGER NOT NULL,      -- bit set: 1 web, 2 mobile, 4 window, 8 self_service, 16 mail
  cross_modes INTEGER NOT NULL,   -- bit set: 1 full_online, 2 proxy, 4 multi_site
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'unpublished')),
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  published_at INTEGER
) STRICT;
CREATE INDEX service_items_status ON service_items(status, id);
CREATE INDEX service_items_dept ON service_items(dept_id, id);

CREATE TABLE materials (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES service_items(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  form TEXT NOT NULL CHECK (form IN ('original', 'copy', 'electronic', 'original_or_copy')),
  count INTEGER NOT NULL CHECK (count >= 1),
  required INTEGER NOT NULL CHECK (required IN (0, 1)),
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (item_id, seq)
) STRICT;

-- Chinese full-text search: trigram tokens over name and guide text.
CREATE VIRTUAL TABLE service_fts USING fts5(name, guide, tokenize = 'trigram');

CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,             -- SM3 hex; content lives at files/ab/cdef...
  owner_id INTEGER NOT NULL REFERENCES users(id),
  size INTEGER NOT NULL,
  mime TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (hash, owner_id)
) STRICT;

CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  case_no TEXT UNIQUE,
  item_id INTEGER NOT NULL REFERENCES service_items(id),
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  applicant_id INTEGER NOT NULL REFERENCES users(id),
  state TEXT NOT NULL CHECK (state IN ('submitted', 'accepted', 'not_accepted',
    'needs_supplement', 'approved', 'denied', 'delivered')),
  form TEXT NOT NULL,             -- JSON object
  submitted_at INTEGER NOT NULL,
  accepted_at INTEGER,
  decided_at INTEGER,
  delivered_at INTEGER,
  promised_days INTEGER NOT NULL, -- the item's promise when the case was submitted
  phase TEXT NOT NULL CHECK (phase IN ('acceptance', 'decision', 'closed')),
  clock_start INTEGER NOT NULL,   -- day number the running clock started
  clock_limit INTEGER NOT NULL,   -- working days allowed in this phase
  pause_wd INTEGER NOT NULL DEFAULT 0,
  paused_on INTEGER,              -- day number, while needs_supplement
  due_day INTEGER NOT NULL,
  due_at INTEGER NOT NULL,        -- end of due_day (kept when closed, for on-time figures)
  warn_at INTEGER NOT NULL,
  visits INTEGER NOT NULL DEFAULT 0,
  rated INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  idem_key TEXT,
  idem_hash TEXT,                 -- SM3 of the request a key was first used with
  UNIQUE (applicant_id, idem_key)
) STRICT;
CREATE INDEX cases_dept ON cases(dept_id, due_at, id);
CREATE INDEX cases_applicant ON cases(applicant_id, id);
CREATE INDEX cases_state ON cases(state, due_at);

CREATE TABLE case_events (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  actor_id INTEGER REFERENCES users(id),
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  data TEXT                       -- JSON, e.g. list of missing materials
) STRICT;
CREATE INDEX case_events_case ON case_events(case_id, id);

CREATE TABLE case_materials (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  round INTEGER NOT NULL,
  material_seq INTEGER,
  name TEXT NOT NULL,
  file_hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX case_materials_case ON case_materials(case_id, id);

CREATE TABLE visits (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL
) STRICT;
CREATE INDEX visits_case ON visits(case_id);

CREATE TABLE ratings (
  case_id INTEGER PRIMARY KEY REFERENCES cases(id),
  applicant_id INTEGER NOT NULL REFERENCES users(id),
  stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
  comment TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;

CREATE TABLE supervision_items (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('overdue', 'bad_rating', 'complaint')),
  case_id INTEGER REFERENCES cases(id),
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
  UNIQUE (kind, case_id)
) STRICT;
CREATE INDEX supervision_dept ON supervision_items(dept_id, status, due_at);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  data TEXT NOT NULL,             -- canonical JSON
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE node_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
