-- How many applications each office holds by status and assignee, kept up to date by a trigger
-- in the same transaction as every change to an application, so the staff's queue can show its
-- tabs' counts without counting a large office's applications on every request.
-- assignee is the assigned staff member's id as text, or '' for nobody.
CREATE TABLE queue_counts (
    office_code TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (office_code, status, assignee)
);

INSERT INTO queue_counts (office_code, status, assignee, count)
SELECT office_code, status, COALESCE(CAST(assigned_staff_id AS TEXT), ''), COUNT(*) FROM applications
GROUP BY office_code, status, COALESCE(CAST(assigned_staff_id AS TEXT), '');

CREATE FUNCTION queue_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE queue_counts SET count = count - 1
        WHERE office_code = OLD.office_code AND status = OLD.status
          AND assignee = COALESCE(CAST(OLD.assigned_staff_id AS TEXT), '');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO queue_counts (office_code, status, assignee, count)
        VALUES (NEW.office_code, NEW.status, COALESCE(CAST(NEW.assigned_staff_id AS TEXT), ''), 1)
        ON CONFLICT (office_code, status, assignee) DO UPDATE SET count = queue_counts.count + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER queue_counts_follow AFTER INSERT OR DELETE OR UPDATE OF office_code, status, assigned_staff_id
    ON applications FOR EACH ROW EXECUTE FUNCTION queue_counts_follow();

-- The queue lists a tab oldest first: this index gives that order without sorting.
CREATE INDEX idx_applications_office_code_status_submitted_at_id
    ON applications (office_code, status, submitted_at, id);
DROP INDEX idx_applications_office_code_status_submitted_at;
