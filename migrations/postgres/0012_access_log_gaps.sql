-- A log set back behind what its witness cosigned (a restore from a backup that lost entries,
-- or an attack): the sequencer records it here when the witness says so, and from then on the
-- database refuses every new entry, and with it every read of citizens' data by staff, until an
-- operator declares the gap (`server declare-gap`). A declared gap is shown to every citizen.
CREATE TABLE access_log_gaps (
    -- The size of the newest checkpoint the witness had cosigned.
    witnessed_size BIGINT NOT NULL,
    -- The size of the log's newest checkpoint when the gap was noticed, and when it was signed.
    restored_size BIGINT NOT NULL,
    restored_at TIMESTAMPTZ NOT NULL,
    noticed_at TIMESTAMPTZ NOT NULL,
    declared_at TIMESTAMPTZ,
    reason TEXT,
    CONSTRAINT access_log_gaps_behind_check CHECK (restored_size >= 0 AND restored_size < witnessed_size),
    CONSTRAINT access_log_gaps_declared_check CHECK ((declared_at IS NULL) = (reason IS NULL)),
    PRIMARY KEY (witnessed_size, restored_size)
);

-- A gap is recorded once and declared once; nothing else of it changes, nothing is deleted.
CREATE FUNCTION access_log_gaps_declare_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.declared_at IS NULL AND NEW.declared_at IS NOT NULL
        AND (NEW.witnessed_size, NEW.restored_size, NEW.restored_at, NEW.noticed_at)
            IS NOT DISTINCT FROM (OLD.witnessed_size, OLD.restored_size, OLD.restored_at, OLD.noticed_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER access_log_gaps_append_only_update BEFORE UPDATE ON access_log_gaps
    FOR EACH ROW EXECUTE FUNCTION access_log_gaps_declare_only();
CREATE TRIGGER access_log_gaps_append_only_delete BEFORE DELETE ON access_log_gaps
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_gaps_append_only_truncate BEFORE TRUNCATE ON access_log_gaps
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();

-- While a gap is undeclared, no entry is written, so no read it would record is answered.
CREATE FUNCTION access_log_not_behind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM access_log_gaps WHERE declared_at IS NULL) THEN
        RAISE EXCEPTION 'klarsicht: the access log is behind its witness' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER access_log_not_behind BEFORE INSERT ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_not_behind();

-- The sequencer (the office's role) records a gap; only the owner declares one.
GRANT SELECT, INSERT ON access_log_gaps TO klarsicht_office;
