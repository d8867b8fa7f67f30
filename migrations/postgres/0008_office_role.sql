-- The role the office's services act as (sign-in and sessions, the directory, administration,
-- the access log's checks): it reaches the office's own tables and none of the citizens'
-- records, so only the gate, the citizen's own services, casework and retention can read those
-- (app/src/server/db/tables.rs). A table created by a later migration is reached by this role
-- only when that migration grants it.
--
-- Roles belong to the whole PostgreSQL server, so several databases (and several instances
-- migrating at once) may find it made already.
DO $$
BEGIN
    CREATE ROLE klarsicht_office NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The portal's own user acts as it (SET ROLE when an office connection opens).
DO $$
BEGIN
    EXECUTE format('GRANT klarsicht_office TO %I', current_user);
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public, tower_sessions TO klarsicht_office;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, tower_sessions TO klarsicht_office;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO klarsicht_office;
REVOKE ALL ON
    citizen_data,
    applications,
    application_answers,
    application_events,
    documents,
    document_requests,
    messages,
    case_notes,
    consents,
    consent_events,
    emergency_accesses,
    protection_flags,
    guardianships,
    _sqlx_migrations
FROM klarsicht_office;

-- Publishing a consent template's new version moves the open applications that need nothing
-- new to it, in the administrator's transaction (app/src/server/citizen/renewals.rs): of an
-- application the office sees its status and version, and changes only the version.
GRANT SELECT (status, template_version_id), UPDATE (template_version_id, updated_at) ON applications TO klarsicht_office;
