-- Klarsicht schema v1 (PostgreSQL): reference data, staff, consent templates, citizens and their
-- data, applications, consents, the access log, emergency accesses, protection flags, sessions,
-- admin audit and retention runs. The SQLite migration of the same name defines the same
-- tables, columns, constraints and indexes; only the column types differ (and the tower-sessions
-- table name, see there).
-- Conventions: UUIDs are UUID;
-- timestamps are TIMESTAMPTZ, always written by the application;
-- JSON is JSONB.

-- ---------------------------------------------------------------------------------------------
-- Reference data
-- ---------------------------------------------------------------------------------------------

CREATE TABLE offices (
    code TEXT PRIMARY KEY NOT NULL,
    name_de TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT offices_kind_check CHECK (kind IN ('youth', 'social', 'housing'))
);

CREATE TABLE data_categories (
    code TEXT PRIMARY KEY NOT NULL,
    name_de TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_de TEXT NOT NULL,
    description_en TEXT NOT NULL,
    -- special category of personal data, GDPR Art. 9 (health, disability)
    special_category BOOLEAN NOT NULL,
    -- how long data of this category is kept after the application it belongs to is closed
    retention_days BIGINT NOT NULL,
    sort_order BIGINT NOT NULL,
    CONSTRAINT data_categories_retention_days_check CHECK (retention_days > 0)
);

CREATE TABLE benefit_types (
    code TEXT PRIMARY KEY NOT NULL,
    name_de TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_de TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    office_code TEXT NOT NULL REFERENCES offices (code),
    active BOOLEAN NOT NULL
);

-- The application form of a benefit type: each section collects exactly one data category.
CREATE TABLE form_sections (
    id UUID PRIMARY KEY NOT NULL,
    benefit_type_code TEXT NOT NULL REFERENCES benefit_types (code) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title_de TEXT NOT NULL,
    title_en TEXT NOT NULL,
    category_code TEXT NOT NULL REFERENCES data_categories (code),
    CONSTRAINT form_sections_benefit_type_code_position_key UNIQUE (benefit_type_code, position)
);

-- `key` is the JSON key of the answer in application_answers.answers and in citizen_data.data
-- (same category), which is how a form is prefilled from the citizen's data.
CREATE TABLE form_questions (
    id UUID PRIMARY KEY NOT NULL,
    section_id UUID NOT NULL REFERENCES form_sections (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    key TEXT NOT NULL,
    label_de TEXT NOT NULL,
    label_en TEXT NOT NULL,
    help_de TEXT,
    help_en TEXT,
    kind TEXT NOT NULL,
    -- for kind 'choice': JSON array of {"value", "label_de", "label_en"}
    options JSONB,
    required BOOLEAN NOT NULL,
    CONSTRAINT form_questions_kind_check
        CHECK (kind IN ('text', 'number', 'date', 'boolean', 'choice', 'money')),
    CONSTRAINT form_questions_choice_options_check CHECK (kind <> 'choice' OR options IS NOT NULL),
    CONSTRAINT form_questions_section_id_position_key UNIQUE (section_id, position),
    CONSTRAINT form_questions_section_id_key_key UNIQUE (section_id, key)
);

-- ---------------------------------------------------------------------------------------------
-- Staff
-- ---------------------------------------------------------------------------------------------

CREATE TABLE staff_members (
    id UUID PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    oidc_subject TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    deactivated_at TIMESTAMPTZ,
    CONSTRAINT staff_members_email_key UNIQUE (email),
    CONSTRAINT staff_members_oidc_subject_key UNIQUE (oidc_subject)
);

-- Caseworkers belong to an office; data protection officers and administrators have no office.
-- No primary key: office_code is nullable, so uniqueness is the expression index below
-- (NULL office counts as one value).
CREATE TABLE staff_roles (
    staff_id UUID NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
    office_code TEXT REFERENCES offices (code),
    role TEXT NOT NULL,
    CONSTRAINT staff_roles_role_check
        CHECK (role IN ('caseworker', 'data_protection_officer', 'administrator')),
    CONSTRAINT staff_roles_caseworker_office_check
        CHECK (role <> 'caseworker' OR office_code IS NOT NULL)
);
CREATE UNIQUE INDEX staff_roles_staff_id_office_code_role_key
    ON staff_roles (staff_id, COALESCE(office_code, ''), role);
CREATE INDEX idx_staff_roles_office_code ON staff_roles (office_code);

-- ---------------------------------------------------------------------------------------------
-- Consent templates (per benefit type, versioned; a published version is never changed)
-- ---------------------------------------------------------------------------------------------

CREATE TABLE consent_templates (
    id UUID PRIMARY KEY NOT NULL,
    benefit_type_code TEXT NOT NULL REFERENCES benefit_types (code),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT consent_templates_benefit_type_code_key UNIQUE (benefit_type_code)
);

CREATE TABLE consent_template_versions (
    id UUID PRIMARY KEY NOT NULL,
    template_id UUID NOT NULL REFERENCES consent_templates (id),
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    intro_de TEXT NOT NULL,
    intro_en TEXT NOT NULL,
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT consent_template_versions_status_check CHECK (status IN ('draft', 'published')),
    CONSTRAINT consent_template_versions_published_at_check
        CHECK ((status = 'draft' AND published_at IS NULL)
            OR (status = 'published' AND published_at IS NOT NULL)),
    CONSTRAINT consent_template_versions_version_check CHECK (version >= 1),
    CONSTRAINT consent_template_versions_template_id_version_key UNIQUE (template_id, version)
);

-- Categories the office receives by law when an application on this version is submitted.
CREATE TABLE template_required_categories (
    version_id UUID NOT NULL REFERENCES consent_template_versions (id) ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES data_categories (code),
    legal_basis TEXT NOT NULL,
    explanation_de TEXT NOT NULL,
    explanation_en TEXT NOT NULL,
    PRIMARY KEY (version_id, category_code)
);

-- Sharing the citizen may grant or refuse (consent, GDPR Art. 6(1)(a) or 9(2)(a)).
CREATE TABLE template_optional_sharings (
    id UUID PRIMARY KEY NOT NULL,
    version_id UUID NOT NULL REFERENCES consent_template_versions (id) ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES data_categories (code),
    recipient_office_code TEXT NOT NULL REFERENCES offices (code),
    purpose_de TEXT NOT NULL,
    purpose_en TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    max_validity_days BIGINT NOT NULL,
    explanation_de TEXT NOT NULL,
    explanation_en TEXT NOT NULL,
    CONSTRAINT template_optional_sharings_legal_basis_check
        CHECK (legal_basis IN ('art_6_1_a', 'art_9_2_a')),
    CONSTRAINT template_optional_sharings_max_validity_days_check CHECK (max_validity_days > 0),
    CONSTRAINT template_optional_sharings_version_category_office_key
        UNIQUE (version_id, category_code, recipient_office_code)
);
CREATE INDEX idx_template_optional_sharings_version_id ON template_optional_sharings (version_id);

-- ---------------------------------------------------------------------------------------------
-- Citizens and their data
-- ---------------------------------------------------------------------------------------------

CREATE TABLE citizens (
    id UUID PRIMARY KEY NOT NULL,
    -- NULL for a person who does not sign in (a minor child)
    oidc_subject TEXT,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    -- NULL until known: the sign-in provider need not tell it
    birth_date TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT citizens_oidc_subject_key UNIQUE (oidc_subject),
    CONSTRAINT citizens_birth_date_check CHECK (birth_date IS NULL OR birth_date LIKE '____-__-__')
);
CREATE INDEX idx_citizens_family_name_given_name ON citizens (family_name, given_name);

-- A parent or legal guardian acts for a minor child (the child's minority follows from
-- citizens.birth_date; ended_on is set when custody ends otherwise).
CREATE TABLE guardianships (
    guardian_citizen_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    child_citizen_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    relationship TEXT NOT NULL,
    since TEXT NOT NULL,
    ended_on TEXT,
    PRIMARY KEY (guardian_citizen_id, child_citizen_id),
    CONSTRAINT guardianships_relationship_check CHECK (relationship IN ('parent', 'legal_guardian')),
    CONSTRAINT guardianships_not_self_check CHECK (guardian_citizen_id <> child_citizen_id),
    CONSTRAINT guardianships_since_check CHECK (since LIKE '____-__-__'),
    CONSTRAINT guardianships_ended_on_check CHECK (ended_on IS NULL OR ended_on LIKE '____-__-__')
);
CREATE INDEX idx_guardianships_child_citizen_id ON guardianships (child_citizen_id);

-- The citizen's data, kept once per category (a JSON object); applications copy from it.
CREATE TABLE citizen_data (
    citizen_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES data_categories (code),
    data JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (citizen_id, category_code)
);

-- ---------------------------------------------------------------------------------------------
-- Applications
-- ---------------------------------------------------------------------------------------------

CREATE TABLE applications (
    id UUID PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL,
    -- the person the help is for
    citizen_id UUID NOT NULL REFERENCES citizens (id),
    -- the person who filled it in: the citizen, or their parent acting for a minor child
    submitted_by_citizen_id UUID NOT NULL REFERENCES citizens (id),
    benefit_type_code TEXT NOT NULL REFERENCES benefit_types (code),
    office_code TEXT NOT NULL REFERENCES offices (code),
    -- the consent template version shown to the citizen; it fixes the required categories
    template_version_id UUID NOT NULL REFERENCES consent_template_versions (id),
    status TEXT NOT NULL,
    assigned_staff_id UUID REFERENCES staff_members (id),
    decision_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    decided_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    CONSTRAINT applications_reference_key UNIQUE (reference),
    CONSTRAINT applications_status_check CHECK (status IN ('draft', 'submitted', 'in_review',
        'waiting_for_citizen', 'approved', 'rejected', 'withdrawn', 'closed'))
);
CREATE INDEX idx_applications_office_code_status_submitted_at
    ON applications (office_code, status, submitted_at);
CREATE INDEX idx_applications_citizen_id ON applications (citizen_id);
CREATE INDEX idx_applications_submitted_by_citizen_id ON applications (submitted_by_citizen_id);
CREATE INDEX idx_applications_assigned_staff_id ON applications (assigned_staff_id);

CREATE TABLE application_answers (
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    category_code TEXT NOT NULL REFERENCES data_categories (code),
    answers JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, category_code)
);

-- Status history of an application. actor_id is a citizen or staff id according to actor_kind.
CREATE TABLE application_events (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id UUID,
    kind TEXT NOT NULL,
    detail TEXT,
    CONSTRAINT application_events_actor_kind_check
        CHECK (actor_kind IN ('citizen', 'staff', 'system')),
    CONSTRAINT application_events_actor_id_check CHECK (actor_kind = 'system' OR actor_id IS NOT NULL)
);
CREATE INDEX idx_application_events_application_id ON application_events (application_id);

-- To-dos an office gives the citizen (mostly: upload a document).
CREATE TABLE document_requests (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    requested_by_staff_id UUID NOT NULL REFERENCES staff_members (id),
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    fulfilled_at TIMESTAMPTZ,
    CONSTRAINT document_requests_status_check CHECK (status IN ('open', 'fulfilled', 'cancelled'))
);
CREATE INDEX idx_document_requests_application_id ON document_requests (application_id);

CREATE TABLE documents (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    request_id UUID REFERENCES document_requests (id) ON DELETE SET NULL,
    citizen_id UUID NOT NULL REFERENCES citizens (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT documents_media_type_check
        CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    CONSTRAINT documents_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT documents_sha256_check CHECK (length(sha256) = 64)
);
CREATE INDEX idx_documents_application_id ON documents (application_id);
CREATE INDEX idx_documents_request_id ON documents (request_id);

-- sender_id is a citizen id or a staff id according to sender_kind (hence no foreign key).
CREATE TABLE messages (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    sender_kind TEXT NOT NULL,
    sender_id UUID NOT NULL,
    body TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    CONSTRAINT messages_sender_kind_check CHECK (sender_kind IN ('citizen', 'staff'))
);
CREATE INDEX idx_messages_application_id ON messages (application_id);

-- Internal notes of the office; never shown to the citizen.
CREATE TABLE case_notes (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    staff_id UUID NOT NULL REFERENCES staff_members (id),
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_case_notes_application_id ON case_notes (application_id);

-- ---------------------------------------------------------------------------------------------
-- Consents
-- ---------------------------------------------------------------------------------------------

-- A consent is valid while revoked_at IS NULL and (expires_at IS NULL or expires_at > now).
-- The row holds the current state; consent_events keeps the history and is never updated.
CREATE TABLE consents (
    id UUID PRIMARY KEY NOT NULL,
    citizen_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    recipient_office_code TEXT NOT NULL REFERENCES offices (code),
    category_code TEXT NOT NULL REFERENCES data_categories (code),
    purpose TEXT NOT NULL,
    sharing_id UUID REFERENCES template_optional_sharings (id),
    template_version_id UUID NOT NULL REFERENCES consent_template_versions (id),
    legal_basis TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT consents_legal_basis_check CHECK (legal_basis IN ('art_6_1_a', 'art_9_2_a')),
    CONSTRAINT consents_expires_at_check CHECK (expires_at IS NULL OR expires_at > granted_at),
    CONSTRAINT consents_revoked_at_check CHECK (revoked_at IS NULL OR revoked_at >= granted_at)
);
CREATE INDEX idx_consents_citizen_id ON consents (citizen_id);
CREATE INDEX idx_consents_recipient_office_code_citizen_id_category_code
    ON consents (recipient_office_code, citizen_id, category_code);

CREATE TABLE consent_events (
    id UUID PRIMARY KEY NOT NULL,
    consent_id UUID NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    occurred_at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    -- the citizen or the parent acting for them; NULL for system events (expiry)
    actor_citizen_id UUID REFERENCES citizens (id),
    detail TEXT,
    CONSTRAINT consent_events_kind_check CHECK (kind IN ('granted', 'revoked', 'expired', 'renewed'))
);
CREATE INDEX idx_consent_events_consent_id ON consent_events (consent_id);

-- ---------------------------------------------------------------------------------------------
-- Emergency access (§ 8a SGB VIII), access log, deferrals, protection flags
-- ---------------------------------------------------------------------------------------------

-- Opened by one youth-office caseworker, effective only once a second staff member confirms it
-- (four-eyes principle), limited to the named categories and until expires_at.
CREATE TABLE emergency_accesses (
    id UUID PRIMARY KEY NOT NULL,
    office_code TEXT NOT NULL REFERENCES offices (code),
    citizen_id UUID NOT NULL REFERENCES citizens (id),
    opened_by_staff_id UUID NOT NULL REFERENCES staff_members (id),
    reason TEXT NOT NULL,
    -- JSON array of data category codes
    categories JSONB NOT NULL,
    requested_duration_minutes BIGINT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    confirmed_by_staff_id UUID REFERENCES staff_members (id),
    confirmed_at TIMESTAMPTZ,
    rejected_by_staff_id UUID REFERENCES staff_members (id),
    rejected_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    ended_by_staff_id UUID REFERENCES staff_members (id),
    status TEXT NOT NULL,
    CONSTRAINT emergency_accesses_status_check
        CHECK (status IN ('pending', 'confirmed', 'expired', 'ended', 'rejected')),
    CONSTRAINT emergency_accesses_requested_duration_minutes_check
        CHECK (requested_duration_minutes > 0),
    CONSTRAINT emergency_accesses_four_eyes_check
        CHECK (confirmed_by_staff_id IS NULL OR confirmed_by_staff_id <> opened_by_staff_id),
    CONSTRAINT emergency_accesses_rejected_by_check
        CHECK (rejected_by_staff_id IS NULL OR rejected_by_staff_id <> opened_by_staff_id),
    CONSTRAINT emergency_accesses_confirmed_check
        CHECK (status <> 'confirmed' OR (confirmed_by_staff_id IS NOT NULL
            AND confirmed_at IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX idx_emergency_accesses_office_code_status ON emergency_accesses (office_code, status);
CREATE INDEX idx_emergency_accesses_citizen_id ON emergency_accesses (citizen_id);

-- Append-only and tamper-evident: the application assigns seq (1, 2, 3, ... without gaps) and
-- computes entry_hash = SHA-256 over prev_hash and the entry's fields, where prev_hash is the
-- entry_hash of seq - 1 (a fixed genesis value for seq 1). Changing or deleting any entry breaks
-- the chain from there on. The UNIQUE on prev_hash forbids forks (two entries after the same
-- predecessor). Rows are never updated or deleted by the application.
-- basis_ref is the id of the application, consent or emergency access named by basis.
CREATE TABLE access_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    id UUID NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    staff_id UUID NOT NULL REFERENCES staff_members (id),
    office_code TEXT NOT NULL REFERENCES offices (code),
    citizen_id UUID NOT NULL REFERENCES citizens (id),
    -- JSON array of data category codes read
    categories JSONB NOT NULL,
    purpose TEXT NOT NULL,
    basis TEXT NOT NULL,
    basis_ref UUID,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    CONSTRAINT access_log_id_key UNIQUE (id),
    CONSTRAINT access_log_prev_hash_key UNIQUE (prev_hash),
    CONSTRAINT access_log_entry_hash_key UNIQUE (entry_hash),
    CONSTRAINT access_log_seq_check CHECK (seq >= 1),
    CONSTRAINT access_log_basis_check CHECK (basis IN ('application', 'consent', 'emergency'))
);

-- The newest entry of the access log, under a MAC keyed with the server's secret. Appending
-- updates it in the same transaction (its row lock also serialises appends); removing entries
-- from the end leaves a head that no longer matches, and a forged head needs the secret.
CREATE TABLE access_log_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    entry_hash TEXT NOT NULL,
    mac TEXT NOT NULL,
    CONSTRAINT access_log_head_single_row_check CHECK (id = 1)
);
INSERT INTO access_log_head (id, seq, entry_hash, mac)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '');
CREATE INDEX idx_access_log_citizen_id_seq ON access_log (citizen_id, seq);
CREATE INDEX idx_access_log_office_code_occurred_at ON access_log (office_code, occurred_at);
CREATE INDEX idx_access_log_staff_id_occurred_at ON access_log (staff_id, occurred_at);

-- Citizens see every access, emergency ones included, unless a deferral is recorded here: a
-- staff decision with a reason (e.g. telling the parent now would endanger the child) that hides
-- one log entry, or all entries of one emergency access, until visible_from at the latest.
-- A deferral never hides anything for good. The data protection officer always sees everything.
CREATE TABLE access_log_deferrals (
    id UUID PRIMARY KEY NOT NULL,
    access_log_seq BIGINT REFERENCES access_log (seq),
    emergency_access_id UUID REFERENCES emergency_accesses (id),
    decided_by_staff_id UUID NOT NULL REFERENCES staff_members (id),
    reason TEXT NOT NULL,
    visible_from TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT access_log_deferrals_target_check
        CHECK (access_log_seq IS NOT NULL OR emergency_access_id IS NOT NULL),
    CONSTRAINT access_log_deferrals_visible_from_check CHECK (visible_from > created_at)
);
CREATE INDEX idx_access_log_deferrals_access_log_seq ON access_log_deferrals (access_log_seq);
CREATE INDEX idx_access_log_deferrals_emergency_access_id
    ON access_log_deferrals (emergency_access_id);

-- Auskunftssperre / Schutzvermerk: while not lifted it blocks sharing across offices even where
-- a consent exists.
CREATE TABLE protection_flags (
    id UUID PRIMARY KEY NOT NULL,
    citizen_id UUID NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_by_staff_id UUID NOT NULL REFERENCES staff_members (id),
    set_by_office_code TEXT NOT NULL REFERENCES offices (code),
    set_at TIMESTAMPTZ NOT NULL,
    lifted_at TIMESTAMPTZ,
    lifted_by_staff_id UUID REFERENCES staff_members (id),
    lift_reason TEXT,
    CONSTRAINT protection_flags_kind_check
        CHECK (kind IN ('address_block', 'domestic_violence', 'other')),
    CONSTRAINT protection_flags_lifted_check
        CHECK ((lifted_at IS NULL AND lifted_by_staff_id IS NULL AND lift_reason IS NULL)
            OR (lifted_at IS NOT NULL AND lifted_by_staff_id IS NOT NULL AND lift_reason IS NOT NULL))
);
CREATE INDEX idx_protection_flags_citizen_id ON protection_flags (citizen_id);

-- ---------------------------------------------------------------------------------------------
-- Sessions
-- ---------------------------------------------------------------------------------------------

-- tower-sessions (tower-sessions-sqlx-store, PostgresStore): exactly the schema and table its
-- migrate() would create. The SQLite migration names this table tower_sessions instead (SQLite has
-- no schemas); this is the one place the two migrations differ in table naming.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE tower_sessions.session (
    id TEXT PRIMARY KEY NOT NULL,
    data BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);

-- Our own record of sign-in sessions, so a citizen (or staff member) can list and end them.
-- principal_id is a citizen or staff id according to principal_kind (hence no foreign key).
CREATE TABLE session_records (
    session_id TEXT PRIMARY KEY NOT NULL,
    principal_kind TEXT NOT NULL,
    principal_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT,
    ended_at TIMESTAMPTZ,
    CONSTRAINT session_records_principal_kind_check CHECK (principal_kind IN ('citizen', 'staff'))
);
CREATE INDEX idx_session_records_principal_kind_principal_id
    ON session_records (principal_kind, principal_id);

-- ---------------------------------------------------------------------------------------------
-- Administration and retention
-- ---------------------------------------------------------------------------------------------

-- target_id is TEXT: a code for reference data, a UUID for everything else.
CREATE TABLE admin_audit_log (
    id UUID PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    staff_id UUID NOT NULL REFERENCES staff_members (id),
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    detail JSONB NOT NULL,
    CONSTRAINT admin_audit_log_action_check CHECK (action <> '')
);
CREATE INDEX idx_admin_audit_log_occurred_at ON admin_audit_log (occurred_at);

CREATE TABLE retention_runs (
    id UUID PRIMARY KEY NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    deleted_count BIGINT NOT NULL,
    anonymized_count BIGINT NOT NULL,
    detail JSONB NOT NULL,
    CONSTRAINT retention_runs_counts_check CHECK (deleted_count >= 0 AND anonymized_count >= 0)
);
CREATE INDEX idx_retention_runs_started_at ON retention_runs (started_at);
