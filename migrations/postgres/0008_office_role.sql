-- The role the office's services act as (sign-in and sessions, the directory, administration,
-- the access log's checks): it reaches the office's own tables and none of the citizens'
-- records, so only the gate, the citizen's own services, casework and retention can read those
-- (app/src/server/db/tables.rs). A table created by a later migration is reached by this role
-- only when that migration grants it.
--
-- Roles belong to the whole PostgreSQL server: the portal's databases on one server share it,
-- each granting it its own tables (so the portal is one per server; see docs/operations.md).
-- The portal's own user becomes a member, to act as it (the office's connections set it when
-- they open); an administrator may make both beforehand, for a user without CREATEROLE.
DO $$
DECLARE
    office TEXT := 'klarsicht_office';
BEGIN
    -- Several databases (and instances) may be migrated at once: the one that comes second
    -- finds the role made.
    BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', office);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    IF NOT pg_has_role(current_user, office, 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT %I TO %I', office, current_user);
        EXCEPTION WHEN unique_violation THEN NULL;
        END;
    END IF;

    EXECUTE format('GRANT USAGE ON SCHEMA public, tower_sessions TO %I', office);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, tower_sessions TO %I', office);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', office);
    EXECUTE format(
        'REVOKE ALL ON citizen_data, applications, application_answers, application_events, documents, '
        'document_requests, messages, case_notes, consents, consent_events, emergency_accesses, '
        'protection_flags, guardianships, _sqlx_migrations FROM %I', office);
    -- A citizen's account is made at their first sign-in and read there; changing or removing
    -- it (which would cascade into their records) is not the office's. Logs are only added to.
    EXECUTE format('REVOKE UPDATE, DELETE ON citizens, access_log, admin_audit_log FROM %I', office);
    -- Publishing a consent template's new version moves the open applications that need
    -- nothing new to it, in the administrator's transaction (app/src/server/citizen/renewals.rs):
    -- of an application the office sees its status and version, and sets the version and the
    -- time of the change.
    EXECUTE format('GRANT SELECT (status, template_version_id), UPDATE (template_version_id, updated_at) ON applications TO %I', office);
END
$$;
