-- 005_licenses: e-licenses (电子证照) and once-only materials (一次办).
-- docs/sharing.md is the contract. Days are 'YYYY-MM-DD' (China time).

-- A kind of license: code = the defining department's credit code and three
-- digits (21 characters, the <type code> of the GB/T 36904 identifier).
-- fields: JSON [{name, label}], the case form fields a license carries.
-- valid_years NULL = long-term (长期有效).
CREATE TABLE license_types (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  dept_id INTEGER NOT NULL REFERENCES departments(id),
  fields TEXT NOT NULL,
  valid_years INTEGER CHECK (valid_years IS NULL OR valid_years BETWEEN 1 AND 100),
  created_at INTEGER NOT NULL
) STRICT;

-- The license an approved case of the item issues (NULL = none), and what
-- satisfies a material: a license type or a data resource (by code).
ALTER TABLE service_items ADD COLUMN license_type TEXT REFERENCES license_types(code);
ALTER TABLE materials ADD COLUMN license_type TEXT REFERENCES license_types(code);
ALTER TABLE materials ADD COLUMN resource_code TEXT;

-- sig: the node's SM2-with-SM3 signature (base64url DER, key key_id in
-- node_keys) over the canonical JSON of docs/sharing.md; data is stored as
-- the exact text that was signed.
CREATE TABLE licenses (
  id INTEGER PRIMARY KEY,
  identifier TEXT NOT NULL UNIQUE,
  type_code TEXT NOT NULL REFERENCES license_types(code),
  holder_kind TEXT NOT NULL CHECK (holder_kind IN ('citizen', 'enterprise')),
  holder_id TEXT NOT NULL,        -- ID number or credit code
  holder_name TEXT NOT NULL,
  issuer_dept INTEGER NOT NULL REFERENCES departments(id),
  serial INTEGER NOT NULL,
  case_id INTEGER REFERENCES cases(id),
  data TEXT NOT NULL,             -- canonical JSON object
  issued_on TEXT NOT NULL,
  valid_to TEXT,                  -- NULL = long-term
  status TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
  key_id TEXT NOT NULL,
  sig TEXT NOT NULL,
  revoked_at INTEGER,
  revoked_by INTEGER REFERENCES users(id),
  revoke_reason TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (type_code, issuer_dept, serial)
) STRICT;
CREATE INDEX licenses_holder ON licenses(holder_id, type_code, id);
CREATE INDEX licenses_issuer ON licenses(issuer_dept, id);
CREATE INDEX licenses_case ON licenses(case_id);

-- How a case material was satisfied: an upload (file_hash set), a license
-- (ref = identifier) or shared data (ref = 'grant:<id>/<key>'); data is the
-- verified data shown to the reviewer (JSON). Filled materials have
-- file_hash '' and size 0.
ALTER TABLE case_materials ADD COLUMN source TEXT NOT NULL DEFAULT 'upload'
  CHECK (source IN ('upload', 'license', 'share'));
ALTER TABLE case_materials ADD COLUMN ref TEXT;
ALTER TABLE case_materials ADD COLUMN data TEXT;

-- Materials the case did not need uploaded (filled by the server).
ALTER TABLE cases ADD COLUMN exempted INTEGER NOT NULL DEFAULT 0;
