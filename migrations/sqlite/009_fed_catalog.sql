-- 009_fed_catalog: catalog up (docs/federation-catalog.md): the service items
-- and data resources of lower nodes, pulled by each parent from its
-- children's change feeds, searchable at the upper nodes.

-- The change order of the catalog feed. Every insert, and every update of a
-- column the feed carries, of a service item, a data resource or a relayed
-- entry takes the next number of one sequence shared by the three tables:
-- one more than the largest fed_seq of any of them. Writes are serialised
-- (SQLite: one writer at a time; PostgreSQL: an advisory lock held to the
-- end of the transaction), so the numbers are handed out in commit order
-- and a reader never sees a number while a smaller one is still to come:
-- the feed's cursor "everything up to N" skips nothing. An insert that
-- brings its own number (db copy) keeps it.
ALTER TABLE service_items ADD COLUMN fed_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE data_resources ADD COLUMN fed_seq INTEGER NOT NULL DEFAULT 0;

-- Entries held from the nodes below this one (their own and those they
-- relay), one row per (origin node, kind, code), upserted as pulled.
-- Withdrawn entries stay (status 'withdrawn'), so a withdrawal is relayed up.
CREATE TABLE fed_catalog (
  id INTEGER PRIMARY KEY,
  origin_region TEXT NOT NULL,     -- the node that owns the entry
  via_region TEXT NOT NULL,        -- the child node it was pulled from
  kind TEXT NOT NULL CHECK (kind IN ('service', 'resource')),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  dept_name TEXT NOT NULL,
  region_code TEXT NOT NULL,       -- the item's (department's) region
  status TEXT NOT NULL CHECK (status IN ('published', 'withdrawn')),
  cross_modes INTEGER NOT NULL DEFAULT 0, -- bit set as service_items.cross_modes
  entry TEXT NOT NULL,             -- the whole entry, JSON as validated here
  received_at INTEGER NOT NULL,
  fed_seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (origin_region, kind, code)
) STRICT;

-- Per child node: how far its feed has been read. Written in the same
-- transaction as the entries of the page it ends.
CREATE TABLE fed_catalog_cursors (
  child_region TEXT PRIMARY KEY,
  cursor TEXT,                     -- the feed's opaque cursor, NULL = from the start
  entries INTEGER NOT NULL DEFAULT 0, -- entries applied so far
  pulled_at INTEGER NOT NULL
) STRICT;

-- Rows that exist already get numbers in id order.
UPDATE service_items SET fed_seq = id;
UPDATE data_resources SET fed_seq = id + (SELECT coalesce(max(id), 0) FROM service_items);

CREATE INDEX service_items_fed_seq ON service_items(fed_seq);
CREATE INDEX data_resources_fed_seq ON data_resources(fed_seq);
CREATE INDEX fed_catalog_seq ON fed_catalog(fed_seq);

CREATE TRIGGER service_items_fed_seq_ins AFTER INSERT ON service_items
WHEN NEW.fed_seq = 0 BEGIN
  UPDATE service_items SET fed_seq = 1 + (SELECT max(m) FROM (
    SELECT max(fed_seq) AS m FROM service_items UNION ALL
    SELECT max(fed_seq) FROM data_resources UNION ALL
    SELECT max(fed_seq) FROM fed_catalog)) WHERE id = NEW.id;
END;
CREATE TRIGGER service_items_fed_seq_upd AFTER UPDATE OF code, name, type, dept_id,
  region_code, promised_days, depth, max_visits, conditions, cross_modes, status
  ON service_items BEGIN
  UPDATE service_items SET fed_seq = 1 + (SELECT max(m) FROM (
    SELECT max(fed_seq) AS m FROM service_items UNION ALL
    SELECT max(fed_seq) FROM data_resources UNION ALL
    SELECT max(fed_seq) FROM fed_catalog)) WHERE id = NEW.id;
END;
CREATE TRIGGER data_resources_fed_seq_ins AFTER INSERT ON data_resources
WHEN NEW.fed_seq = 0 BEGIN
  UPDATE data_resources SET fed_seq = 1 + (SELECT max(m) FROM (
    SELECT max(fed_seq) AS m FROM service_items UNION ALL
    SELECT max(fed_seq) FROM data_resources UNION ALL
    SELECT max(fed_seq) FROM fed_catalog)) WHERE id = NEW.id;
END;
CREATE TRIGGER data_resources_fed_seq_upd AFTER UPDATE OF code, name, summary, dept_id,
  share_type, open_type, update_cycle ON data_resources BEGIN
  UPDATE data_resources SET fed_seq = 1 + (SELECT max(m) FROM (
    SELECT max(fed_seq) AS m FROM service_items UNION ALL
    SELECT max(fed_seq) FROM data_resources UNION ALL
    SELECT max(fed_seq) FROM fed_catalog)) WHERE id = NEW.id;
END;
CREATE TRIGGER fed_catalog_fed_seq_ins AFTER INSERT ON fed_catalog
WHEN NEW.fed_seq = 0 BEGIN
  UPDATE fed_catalog SET fed_seq = 1 + (SELECT max(m) FROM (
    SELECT max(fed_seq) AS m FROM service_items UNION ALL
    SELECT max(fed_seq) FROM data_resources UNION ALL
    SELECT max(fed_seq) FROM fed_catalog)) WHERE id = NEW.id;
END;
CREATE TRIGGER fed_catalog_fed_seq_upd AFTER UPDATE OF entry, status ON fed_catalog BEGIN
  UPDATE fed_catalog SET fed_seq = 1 + (SELECT max(m) FROM (
    SELECT max(fed_seq) AS m FROM service_items UNION ALL
    SELECT max(fed_seq) FROM data_resources UNION ALL
    SELECT max(fed_seq) FROM fed_catalog)) WHERE id = NEW.id;
END;
-- A department's new name is carried by its items and resources: touching
-- a column of theirs gives each a new number.
CREATE TRIGGER departments_fed_seq_name AFTER UPDATE OF name ON departments
WHEN OLD.name IS NOT NEW.name BEGIN
  UPDATE service_items SET name = name WHERE dept_id = NEW.id;
  UPDATE data_resources SET name = name WHERE dept_id = NEW.id;
END;
