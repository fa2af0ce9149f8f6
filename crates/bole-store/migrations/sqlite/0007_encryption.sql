-- Issue 3: personal data sealed at rest (SM4-GCM, see bole-store/src/sealed.rs).
-- `<field>_enc` holds 0x01 ‖ key id ‖ nonce ‖ ciphertext ‖ tag; `<field>_bidx` the
-- HMAC-SM3 blind index used for exact-match lookups. SQL cannot encrypt (the key is not
-- in the database), so rows from before this migration keep their plaintext until
-- `SqlStore::seal_legacy_rows` (run at every start) seals them and blanks the plaintext
-- columns: a NULL `id_number_enc` marks such a row. SQLite cannot drop the original
-- UNIQUE (company_id, id_type, id_number) constraint in place; sealed rows store a
-- per-row stub in `id_number`, so uniqueness is enforced by the blind index below.

-- The index key (id 0) and data keys (id >= 1), each wrapped by the master key.
CREATE TABLE crypto_keys (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('index', 'data')),
    state TEXT NOT NULL CHECK (state IN ('active', 'retired')),
    wrapped BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX crypto_keys_one_active ON crypto_keys (purpose) WHERE state = 'active';

ALTER TABLE employees ADD COLUMN id_number_enc BLOB;
ALTER TABLE employees ADD COLUMN id_number_bidx BLOB;
ALTER TABLE employees ADD COLUMN phone_enc BLOB;
ALTER TABLE employees ADD COLUMN phone_bidx BLOB;
ALTER TABLE employees ADD COLUMN address_enc BLOB;
ALTER TABLE employees ADD COLUMN bank_name TEXT;
ALTER TABLE employees ADD COLUMN bank_account_enc BLOB;
ALTER TABLE employee_contacts ADD COLUMN phone_enc BLOB;

CREATE UNIQUE INDEX employees_id_number_bidx ON employees (company_id, id_type, id_number_bidx);
CREATE INDEX employees_phone_bidx ON employees (phone_bidx);
-- Lookups by ID number now go through the blind index.
DROP INDEX employees_company_id_number;
