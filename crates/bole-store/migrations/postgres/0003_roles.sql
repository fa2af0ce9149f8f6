-- Issue 3: role grants with data scopes, and custom roles.
-- `grants` is the JSON array of {"role", "scope"} an account holds; NULL means an
-- account from before this migration, whose `roles` codes are read with default scopes.
ALTER TABLE users ADD COLUMN grants TEXT;

CREATE TABLE custom_roles (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
