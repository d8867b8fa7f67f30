-- Separation of duties. A role that reads citizen data (caseworker, data protection officer)
-- and an office's kind change only when a second administrator confirms what the first asked
-- for: until then the change waits here. A decided change stays as it was decided.
CREATE TABLE pending_admin_changes (
    id UUID PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    -- grant_role: whom, which role, at which office (a caseworker's).
    staff_id UUID REFERENCES staff_members (id) ON DELETE CASCADE,
    role TEXT,
    -- grant_role: the caseworker's office; office_kind: the office.
    office_code TEXT REFERENCES offices (code),
    -- office_kind: the kind it is to have.
    new_kind TEXT,
    requested_by UUID NOT NULL REFERENCES staff_members (id),
    requested_at TIMESTAMPTZ NOT NULL,
    decided_by UUID REFERENCES staff_members (id),
    decided_at TIMESTAMPTZ,
    outcome TEXT,
    CONSTRAINT pending_admin_changes_kind_check CHECK (kind IN ('grant_role', 'office_kind')),
    CONSTRAINT pending_admin_changes_outcome_check CHECK (outcome IS NULL OR outcome IN ('confirmed', 'rejected', 'withdrawn')),
    CONSTRAINT pending_admin_changes_grant_check
        CHECK (kind <> 'grant_role' OR (staff_id IS NOT NULL AND role IN ('caseworker', 'data_protection_officer'))),
    CONSTRAINT pending_admin_changes_office_kind_check
        CHECK (kind <> 'office_kind' OR (office_code IS NOT NULL AND new_kind IS NOT NULL)),
    -- Who confirms is another administrator than who asked.
    CONSTRAINT pending_admin_changes_four_eyes_check CHECK (outcome IS DISTINCT FROM 'confirmed' OR decided_by <> requested_by)
);
CREATE INDEX idx_pending_admin_changes_open ON pending_admin_changes (decided_at, requested_at);

-- Two staff accounts are two people: an address differing only in case is the same address.
CREATE UNIQUE INDEX staff_members_email_lower_key ON staff_members (lower(email));
