-- 008_fed_messaging: delivery of node-to-node messages (docs/federation.md).

-- Where a node's row came from: 'local' (this node, or added by an operator
-- with `zhengtong node add`) or 'registry' (learned from the national hub's
-- signed registry; trusted only while the cached registry has not expired).
ALTER TABLE fed_nodes ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
  CHECK (source IN ('local', 'registry'));

-- The durable outbox: a message is inserted in the transaction of the change
-- it reports, and delivered by the background sender with retries and
-- back-off. Messages to one recipient are delivered in id order: a message
-- waits while an earlier one to the same node is undelivered.
CREATE TABLE fed_outbox (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE, -- 32 lower-case hex, kept across retries
  recipient TEXT NOT NULL,         -- region code of the receiving node
  type TEXT NOT NULL,              -- e.g. case.submit
  payload TEXT NOT NULL,           -- JSON object
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,        -- not before (Unix seconds)
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
) STRICT;
CREATE INDEX fed_outbox_pending ON fed_outbox(status, recipient, id);
CREATE INDEX fed_seen_age ON fed_seen(received_at);
