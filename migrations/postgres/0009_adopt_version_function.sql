-- Publishing a consent template's new version moves the open applications that need nothing
-- new to it, in the administrator's transaction (app/src/server/citizen/renewals.rs keeps the
-- rule, and the same statements for SQLite). Migration 0008 let the office's role do this
-- through a column grant on applications, with which it could also set a version that requires
-- more than the citizen agreed to. Now it holds no right on applications at all: it calls this
-- function, which moves an application only to a published version and only where that version
-- requires no category the application's own did not. The function runs with the rights of
-- its owner (the portal's user, who runs the migrations), with its search path fixed.
REVOKE SELECT (status, template_version_id), UPDATE (template_version_id, updated_at) ON applications FROM klarsicht_office;

-- `statuses`: the statuses of an open application, comma-separated (ApplicationStatus::OPEN).
-- Answers how many applications moved and how many stay behind, whose citizens are asked.
CREATE FUNCTION adopt_published_version(new_version UUID, moved_at TIMESTAMPTZ, statuses TEXT, OUT moved BIGINT, OUT asked BIGINT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    of_template UUID;
    open_statuses TEXT[] := string_to_array(statuses, ',');
BEGIN
    SELECT v.template_id INTO of_template FROM consent_template_versions v WHERE v.id = new_version AND v.status = 'published';
    IF of_template IS NULL THEN
        moved := 0;
        asked := 0;
        RETURN;
    END IF;
    UPDATE applications a SET template_version_id = new_version, updated_at = moved_at
    WHERE a.status = ANY (open_statuses)
      AND a.template_version_id IN (SELECT v.id FROM consent_template_versions v WHERE v.template_id = of_template AND v.id <> new_version)
      AND NOT EXISTS (SELECT 1 FROM template_required_categories r WHERE r.version_id = new_version AND r.category_code NOT IN
          (SELECT o.category_code FROM template_required_categories o WHERE o.version_id = a.template_version_id));
    GET DIAGNOSTICS moved = ROW_COUNT;
    SELECT COUNT(*) INTO asked FROM applications a WHERE a.status = ANY (open_statuses)
      AND a.template_version_id IN (SELECT v.id FROM consent_template_versions v WHERE v.template_id = of_template AND v.id <> new_version);
END
$$;
REVOKE ALL ON FUNCTION adopt_published_version(UUID, TIMESTAMPTZ, TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION adopt_published_version(UUID, TIMESTAMPTZ, TEXT) TO klarsicht_office;
