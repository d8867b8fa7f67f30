-- On PostgreSQL this migration gives the office's role a function to move open applications to
-- a newly published consent template version, in place of a right on applications
-- (app/src/server/citizen/renewals.rs). SQLite has neither roles nor functions: nothing changes.
SELECT 1;
