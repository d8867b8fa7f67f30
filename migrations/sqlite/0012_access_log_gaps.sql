-- A log set back behind what its witness cosigned (a restore from a backup that lost entries,
-- or an attack): the sequencer records it here when the witness says so, and from then on the
-- database refuses every new entry, and with it every read of citizens' data by staff, until an
-- operator declares the gap (`server declare-gap`). A declared gap is shown to every citizen.
CREATE TABLE access_log_gaps (
    -- The size of the newest checkpoint the witness had cosigned.
    witnessed_size INTEGER NOT NULL,
    -- The size of the log's newest checkpoint when the gap was noticed, and when it was signed.
    restored_size INTEGER NOT NULL,
    restored_at TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    declared_at TEXT,
    reason TEXT,
    CONSTRAINT access_log_gaps_behind_check CHECK (restored_size >= 0 AND restored_size < witnessed_size),
    CONSTRAINT access_log_gaps_declared_check CHECK ((declared_at IS NULL) = (reason IS NULL)),
    PRIMARY KEY (witnessed_size, restored_size)
);

-- A gap is recorded once and declared once; nothing else of it changes, nothing is deleted.
CREATE TRIGGER access_log_gaps_append_only_delete BEFORE DELETE ON access_log_gaps
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_gaps_append_only_update BEFORE UPDATE ON access_log_gaps
WHEN NOT (OLD.declared_at IS NULL AND NEW.declared_at IS NOT NULL
          AND NEW.witnessed_size IS OLD.witnessed_size AND NEW.restored_size IS OLD.restored_size
          AND NEW.restored_at IS OLD.restored_at AND NEW.noticed_at IS OLD.noticed_at)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;

-- While a gap is undeclared, no entry is written, so no read it would record is answered.
CREATE TRIGGER access_log_not_behind BEFORE INSERT ON access_log
WHEN EXISTS (SELECT 1 FROM access_log_gaps WHERE declared_at IS NULL)
BEGIN SELECT RAISE(ABORT, 'klarsicht: the access log is behind its witness'); END;
