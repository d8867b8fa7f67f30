-- On PostgreSQL this migration makes the role the office's services act as, which reaches none
-- of the citizens' records (app/src/server/db/tables.rs). SQLite has no roles: nothing changes.
SELECT 1;
