-- The language the account chose for its pages and notices (a shipped code); NULL: negotiated per request.
ALTER TABLE users ADD COLUMN locale TEXT;
