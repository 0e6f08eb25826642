ALTER TABLE invitations DROP COLUMN group_ids;
ALTER TABLE invitations DROP COLUMN tier;
