-- 010_fed_cases: 跨省通办, cross-region cases in three modes
-- (docs/federation.md, Cross-region cases). The receiving node R keeps the
-- application (fed_cases, fed_case_events); the home node H that owns the
-- item handles it as a real case (cases, marked with its origin).

-- At H: a case that another node received. fed_origin is R's region,
-- fed_ref R's number of the application (one case per number: a second
-- copy of case.submit finds the first), fed_mode how it came,
-- fed_checked R's formal review as JSON {by, note, at} (proxy mode).
ALTER TABLE cases ADD COLUMN fed_origin TEXT;
ALTER TABLE cases ADD COLUMN fed_ref TEXT;
ALTER TABLE cases ADD COLUMN fed_mode TEXT
  CHECK (fed_mode IN ('full_online', 'proxy', 'joint'));
ALTER TABLE cases ADD COLUMN fed_checked TEXT;
CREATE UNIQUE INDEX cases_fed_ref ON cases(fed_origin, fed_ref);

-- At R: one application for an item of another node. state mirrors H's
-- case (submitted ... delivered) once H has it; before that it is R's own:
-- received (proxy: registered at R's window), not_accepted_here (proxy:
-- refused by R's formal review), forwarded (case.submit queued for H).
-- materials: JSON [{seq, name, file, size, mime}]; the files stay at R.
-- Joint (多地联办): local_case_id is R's own case for R's part.
CREATE TABLE fed_cases (
  id INTEGER PRIMARY KEY,
  number TEXT UNIQUE,                 -- KS + region + yyyymmdd + sequence
  mode TEXT NOT NULL CHECK (mode IN ('full_online', 'proxy', 'joint')),
  home_region TEXT NOT NULL REFERENCES regions(code),
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL DEFAULT '', -- as H names it, from its first answer
  dept_name TEXT NOT NULL DEFAULT '',
  dept_name_en TEXT NOT NULL DEFAULT '',
  applicant_id INTEGER REFERENCES users(id), -- R's account, NULL when none (proxy)
  applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('citizen', 'enterprise')),
  applicant_name TEXT NOT NULL,
  applicant_id_no TEXT NOT NULL,      -- ID number or credit code
  applicant_phone TEXT,
  form TEXT NOT NULL,                 -- JSON object
  materials TEXT NOT NULL,            -- JSON array
  state TEXT NOT NULL CHECK (state IN ('received', 'not_accepted_here', 'forwarded',
    'submitted', 'accepted', 'not_accepted', 'needs_supplement', 'approved', 'denied',
    'delivered')),
  home_case_no TEXT,
  home_due_at INTEGER,                -- H's deadline of the running phase
  missing TEXT,                       -- JSON array: what H asks to supplement
  local_case_id INTEGER REFERENCES cases(id),
  dept_id INTEGER REFERENCES departments(id), -- proxy: the registering clerk's
  clerk_id INTEGER REFERENCES users(id),      -- proxy: who registered it
  review TEXT,                        -- proxy: JSON {decision, note, by, at}
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX fed_cases_applicant ON fed_cases(applicant_id, id);
CREATE INDEX fed_cases_id_no ON fed_cases(applicant_id_no, id);
CREATE INDEX fed_cases_dept ON fed_cases(dept_id, id);
CREATE INDEX fed_cases_local ON fed_cases(local_case_id);

-- The history of an application at R: its own events (source = R's region)
-- and H's case events (source = H's region, home_event_id = H's
-- case_events.id, so one event of H is kept once).
CREATE TABLE fed_case_events (
  id INTEGER PRIMARY KEY,
  fed_case_id INTEGER NOT NULL REFERENCES fed_cases(id),
  at INTEGER NOT NULL,
  source TEXT NOT NULL,               -- region code of the node where it happened
  actor TEXT NOT NULL DEFAULT '',     -- name of who acted, as that node knows it
  role TEXT NOT NULL DEFAULT '',      -- applicant, clerk, reviewer, system, origin
  action TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  home_event_id INTEGER
) STRICT;
CREATE INDEX fed_case_events_case ON fed_case_events(fed_case_id, id);
CREATE UNIQUE INDEX fed_case_events_home ON fed_case_events(fed_case_id, home_event_id);
