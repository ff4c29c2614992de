-- 003_node: the node's signing keys and the signatures over the audit chain.
-- key_id = first 16 hex characters of SM3(public key PEM). Every process
-- registers the public key of the private key it holds (node.key in its
-- data directory), so anything it signed verifies everywhere.
CREATE TABLE node_keys (
  key_id TEXT PRIMARY KEY,
  public_pem TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- One SM2 signature over "zt-audit|<seq>|<hash>" per write batch that
-- appended audit records: the head as it stood when the batch committed.
CREATE TABLE audit_signatures (
  seq BIGINT PRIMARY KEY,
  hash TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES node_keys(key_id),
  sig TEXT NOT NULL,              -- base64url DER
  at BIGINT NOT NULL
);
