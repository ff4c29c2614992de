-- 006_evaluation: supervision of complaints with escalation to the region
-- above, and the figures the capability evaluation reads (docs/evaluation.md).

-- How an application came in, and its rating (NULL until rated): read by
-- the evaluation without a join. cases_eval covers every column it reads.
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'web'
  CHECK (channel IN ('web', 'mobile', 'window', 'self_service', 'mail'));
ALTER TABLE cases ADD COLUMN stars INTEGER CHECK (stars BETWEEN 1 AND 5);
UPDATE cases SET stars = (SELECT r.stars FROM ratings r WHERE r.case_id = cases.id);
CREATE INDEX cases_eval ON cases(item_id, submitted_at, channel, phase, decided_at, due_at,
  visits, exempted, stars);

-- A region's supervision office (督查室 / 政务服务管理办公室): its
-- supervisors see every department of their region and the regions below,
-- and receive the overdue supervision items of the level below.
ALTER TABLE departments ADD COLUMN oversight INTEGER NOT NULL DEFAULT 0
  CHECK (oversight IN (0, 1));

-- The region's required item list (事项清单): item codes it must publish.
CREATE TABLE required_items (
  id INTEGER PRIMARY KEY,
  region_code TEXT NOT NULL REFERENCES regions(code),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (region_code, code)
) STRICT;

-- External indicators: economic data and outside survey scores.
CREATE TABLE indicator_values (
  id INTEGER PRIMARY KEY,
  region_code TEXT NOT NULL REFERENCES regions(code),
  period TEXT NOT NULL,           -- 2026, 2026-Q3 or 2026-09
  indicator TEXT NOT NULL,        -- e.g. gdp_per_capita
  value REAL NOT NULL,
  source TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  UNIQUE (region_code, period, indicator)
) STRICT;

-- Public complaints and clues (投诉/线索). The contact is personal data:
-- shown to the handling supervisors only, never published.
CREATE TABLE complaints (
  id INTEGER PRIMARY KEY,
  no TEXT NOT NULL UNIQUE,
  about TEXT NOT NULL CHECK (about IN ('item', 'case', 'department')),
  item_id INTEGER REFERENCES service_items(id),
  case_id INTEGER REFERENCES cases(id),
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  user_id INTEGER REFERENCES users(id),
  contact_name TEXT NOT NULL,
  contact_phone TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX complaints_dept ON complaints(dept_id, id);

-- supervision_items: kind 'escalated' (an overdue item raised to the
-- oversight office of the region above), complaint_id, parent_id (the item
-- an escalation is about) and escalated_at. Rebuilt: SQLite cannot alter
-- a CHECK constraint.
CREATE TABLE supervision_items_new (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('overdue', 'bad_rating', 'complaint', 'share_overdue',
    'escalated')),
  case_id INTEGER REFERENCES cases(id),
  request_id INTEGER REFERENCES share_requests(id),
  complaint_id INTEGER REFERENCES complaints(id),
  parent_id INTEGER REFERENCES supervision_items(id),
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
  escalated_at INTEGER,
  UNIQUE (kind, case_id),
  UNIQUE (kind, request_id),
  UNIQUE (kind, complaint_id),
  UNIQUE (kind, parent_id)
) STRICT;
INSERT INTO supervision_items_new (id, kind, case_id, request_id, dept_id, owner_id, title,
  opened_at, due_day, due_at, status, outcome, closed_at, closed_by)
  SELECT id, kind, case_id, request_id, dept_id, owner_id, title, opened_at, due_day, due_at,
    status, outcome, closed_at, closed_by FROM supervision_items;
DROP TABLE supervision_items;
ALTER TABLE supervision_items_new RENAME TO supervision_items;
CREATE INDEX supervision_dept ON supervision_items(dept_id, status, due_at);
CREATE INDEX supervision_due ON supervision_items(status, due_at);
