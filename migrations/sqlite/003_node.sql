-- 003_node: the node's signing keys and the signatures over the audit chain.
-- key_id = first 16 hex characters of SM3(public key PEM). Every process
-- registers the public key of the private key it holds (node.key in its
-- data directory), so anything it signed verifies everywhere.
CREATE TABLE node_keys (
  key_id TEXT PRIMARY KEY,
  public_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

-- A seal over "zt-audit|<seq>|<hash>" (the head as it stood when a write
-- transaction that appended audit records committed), in that transaction:
-- an SM2 signature ('sm2') at least once a second, and between those an
-- HMAC-SM3 under a key derived from node.key ('hmac-sm3'); a background
-- seal replaces the last HMAC by a signature within a second.
CREATE TABLE audit_signatures (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES node_keys(key_id),
  alg TEXT NOT NULL CHECK (alg IN ('sm2', 'hmac-sm3')),
  sig TEXT NOT NULL,              -- sm2: base64url DER; hmac-sm3: hex
  at INTEGER NOT NULL
) STRICT;
