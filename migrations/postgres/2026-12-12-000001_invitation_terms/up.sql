-- What an invitation gives the new account beyond its first passkey: the
-- tier it starts under (never lower than standard) and the groups it joins
-- (a JSON array of group ids), both applied in the enrolment's transaction.
ALTER TABLE invitations ADD COLUMN tier TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE invitations ADD COLUMN group_ids TEXT NOT NULL DEFAULT '[]';
