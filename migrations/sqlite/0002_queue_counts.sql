-- How many applications each office holds by status and assignee, kept up to date by triggers
-- in the same transaction as every change to an application, so the staff's queue can show its
-- tabs' counts without counting a large office's applications on every request.
-- assignee is the assigned staff member's id, or '' for nobody.
CREATE TABLE queue_counts (
    office_code TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (office_code, status, assignee)
);

INSERT INTO queue_counts (office_code, status, assignee, count)
SELECT office_code, status, COALESCE(assigned_staff_id, ''), COUNT(*) FROM applications
GROUP BY office_code, status, COALESCE(assigned_staff_id, '');

CREATE TRIGGER queue_counts_after_insert AFTER INSERT ON applications
BEGIN
    INSERT OR IGNORE INTO queue_counts (office_code, status, assignee, count)
    VALUES (NEW.office_code, NEW.status, COALESCE(NEW.assigned_staff_id, ''), 0);
    UPDATE queue_counts SET count = count + 1
    WHERE office_code = NEW.office_code AND status = NEW.status AND assignee = COALESCE(NEW.assigned_staff_id, '');
END;

CREATE TRIGGER queue_counts_after_delete AFTER DELETE ON applications
BEGIN
    UPDATE queue_counts SET count = count - 1
    WHERE office_code = OLD.office_code AND status = OLD.status AND assignee = COALESCE(OLD.assigned_staff_id, '');
END;

CREATE TRIGGER queue_counts_after_update AFTER UPDATE OF office_code, status, assigned_staff_id ON applications
BEGIN
    UPDATE queue_counts SET count = count - 1
    WHERE office_code = OLD.office_code AND status = OLD.status AND assignee = COALESCE(OLD.assigned_staff_id, '');
    INSERT OR IGNORE INTO queue_counts (office_code, status, assignee, count)
    VALUES (NEW.office_code, NEW.status, COALESCE(NEW.assigned_staff_id, ''), 0);
    UPDATE queue_counts SET count = count + 1
    WHERE office_code = NEW.office_code AND status = NEW.status AND assignee = COALESCE(NEW.assigned_staff_id, '');
END;

-- The queue lists a tab oldest first: this index gives that order without sorting.
CREATE INDEX idx_applications_office_code_status_submitted_at_id
    ON applications (office_code, status, submitted_at, id);
DROP INDEX idx_applications_office_code_status_submitted_at;
