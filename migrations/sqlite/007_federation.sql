-- 007_federation: the foundation of federation (docs/federation.md): the
-- registry of known nodes, this node included, and the message ids already
-- received from each sender (replay protection of signed envelopes).

-- One row per node: its region, address and SM2 public key. key_id = the
-- first 16 hex characters of SM3(public_key), as in node_keys. Written by
-- `zhengtong node init` (this node) and `zhengtong node add` (peers) until
-- the national hub's signed registry exists. A retired node's messages are
-- refused.
CREATE TABLE fed_nodes (
  id INTEGER PRIMARY KEY,
  region_code TEXT NOT NULL UNIQUE REFERENCES regions(code),
  name TEXT NOT NULL,
  url TEXT,                       -- http(s)://host[:port], NULL if not given
  key_id TEXT NOT NULL,
  public_key TEXT NOT NULL,       -- SubjectPublicKeyInfo PEM
  parent_region TEXT REFERENCES regions(code),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  registered_at INTEGER NOT NULL
) STRICT;

-- Every accepted message id per sender, inserted in the transaction that
-- applies the message: a second delivery conflicts and changes nothing.
CREATE TABLE fed_seen (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,           -- region code of the sending node
  message_id TEXT NOT NULL,       -- 32 lower-case hex
  received_at INTEGER NOT NULL,
  UNIQUE (sender, message_id)
) STRICT;
