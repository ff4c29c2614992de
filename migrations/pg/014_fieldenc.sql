-- 014_fieldenc: encryption at rest of personal data (GB/T 39786; see
-- src/crypto/fieldenc.h and docs/security.md). Columns that are looked up
-- by value (users.id_number and users.login of citizens, resource_rows.subject
-- and .key of personal key fields, access_subjects.subject,
-- fed_share_served_subjects.subject, fed_cases.applicant_id_no,
-- licenses.holder_id) keep their names and hold the keyed SM3 blind index
-- "bi1:<v>:<hex>"; the value itself is kept SM4-encrypted ("enc1:...") in
-- the *_enc columns added here. Phones, complaint contacts and personal or
-- sensitive fields of resource rows are encrypted in place.
--
-- SQL cannot encrypt: the program converts existing clear values once,
-- right after migrating (fieldenc_convert in src/cli/keys_cli.c, idempotent,
-- marked done in node_meta 'fieldenc.converted').

ALTER TABLE users ADD COLUMN id_number_enc TEXT;
ALTER TABLE fed_cases ADD COLUMN applicant_id_no_enc TEXT;
ALTER TABLE licenses ADD COLUMN holder_id_enc TEXT;
