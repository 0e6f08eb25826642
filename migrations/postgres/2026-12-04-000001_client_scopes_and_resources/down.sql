ALTER TABLE refresh_token_families DROP COLUMN resources;
ALTER TABLE clients DROP COLUMN allowed_resources;
ALTER TABLE clients DROP COLUMN allowed_scopes;
