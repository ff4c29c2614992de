-- 012_opendata: the open data portal (数据开放平台, docs/opendata.md).
-- A dataset publishes chosen public fields of an open data resource with
-- DCAT-AP metadata. Every (re)publication is a version with its own field
-- dictionary and a snapshot of the rows (only the published fields), so old
-- versions stay downloadable and queries never read resource_rows.

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  resource_id INTEGER NOT NULL REFERENCES data_resources(id),
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  keywords TEXT NOT NULL,         -- JSON array of text
  theme TEXT NOT NULL,
  license TEXT NOT NULL,
  update_frequency TEXT NOT NULL CHECK (update_frequency IN ('realtime', 'daily', 'weekly',
    'monthly', 'quarterly', 'yearly', 'irregular')),
  temporal_from TEXT,             -- 'YYYY-MM-DD'
  temporal_to TEXT,
  spatial TEXT NOT NULL,          -- JSON array of region codes
  contact TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn')),
  current_version INTEGER NOT NULL,
  query_count INTEGER NOT NULL DEFAULT 0,
  download_count INTEGER NOT NULL DEFAULT 0,
  withdrawn_at INTEGER,
  withdraw_reason TEXT
) STRICT;
CREATE INDEX datasets_status ON datasets(status, id);
CREATE INDEX datasets_resource ON datasets(resource_id);

CREATE TABLE dataset_versions (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  version INTEGER NOT NULL,
  fields TEXT NOT NULL,           -- JSON [{name, type, description, unit}]
  row_count INTEGER NOT NULL,
  stats TEXT NOT NULL DEFAULT '{}', -- JSON {field: distinct values}, for query plans
  published_at INTEGER NOT NULL,
  published_by INTEGER REFERENCES users(id),
  UNIQUE (dataset_id, version)
) STRICT;

-- The rows of a version are in a table of their own, dsr_<version id>,
-- created at publication with one typed, indexed column per published field
-- (src/domain/opendata_rows.c); `db copy` copies them.
