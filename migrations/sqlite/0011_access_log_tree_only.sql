-- The access log is the Merkle tree alone (app/src/server/access_log): the lanes, hash chains
-- under the server's secret that whoever held the secret could rewrite, are gone, and with them
-- the head row every append had to take. An entry takes the next seq as it is written (seq is
-- the rowid); the sequencer places it in the tree after its read committed.
DROP TABLE access_log_lanes;

-- SQLite drops no column with a UNIQUE constraint: the table is built anew without the lanes'
-- columns. The deferrals that refer to its entries step aside meanwhile (a migration cannot
-- switch foreign keys off), and come back once the new table has taken the old one's name.
CREATE TEMPORARY TABLE deferrals_aside AS SELECT * FROM access_log_deferrals;
DELETE FROM access_log_deferrals;
CREATE TABLE access_log_tree_only (
    seq INTEGER PRIMARY KEY NOT NULL,
    id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff_members (id),
    office_code TEXT NOT NULL REFERENCES offices (code),
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    -- JSON array of data category codes read
    categories TEXT NOT NULL,
    purpose TEXT NOT NULL,
    basis TEXT NOT NULL,
    basis_ref TEXT,
    -- the exact bytes hashed into the tree, and the entry's place there once the sequencer set it
    leaf TEXT,
    leaf_index INTEGER CONSTRAINT access_log_leaf_index_check CHECK (leaf_index >= 0),
    CONSTRAINT access_log_id_key UNIQUE (id),
    CONSTRAINT access_log_seq_check CHECK (seq >= 1),
    CONSTRAINT access_log_basis_check CHECK (basis IN ('application', 'consent', 'emergency'))
);
INSERT INTO access_log_tree_only (seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis,
                                  basis_ref, leaf, leaf_index)
SELECT seq, id, occurred_at, staff_id, office_code, citizen_id, categories, purpose, basis, basis_ref, leaf, leaf_index
FROM access_log;
-- Its triggers go first, so removing its rows fires none.
DROP TABLE access_log;
ALTER TABLE access_log_tree_only RENAME TO access_log;
CREATE INDEX idx_access_log_citizen_id_seq ON access_log (citizen_id, seq);
CREATE INDEX idx_access_log_office_code_occurred_at ON access_log (office_code, occurred_at);
CREATE INDEX idx_access_log_staff_id_occurred_at ON access_log (staff_id, occurred_at);
CREATE UNIQUE INDEX idx_access_log_leaf_index ON access_log (leaf_index);
CREATE INDEX idx_access_log_waiting ON access_log (seq) WHERE leaf_index IS NULL;
INSERT INTO access_log_deferrals SELECT * FROM deferrals_aside;
DROP TABLE deferrals_aside;

-- Append-only: nothing is deleted; an entry changes only when the sequencer places it (its
-- leaf_index set once, and its leaf once if it had none).
CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
WHEN NOT (OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL AND NEW.leaf IS NOT NULL
          AND (OLD.leaf IS NULL OR NEW.leaf = OLD.leaf)
          AND NEW.seq IS OLD.seq AND NEW.id IS OLD.id
          AND NEW.occurred_at IS OLD.occurred_at AND NEW.staff_id IS OLD.staff_id
          AND NEW.office_code IS OLD.office_code AND NEW.citizen_id IS OLD.citizen_id
          AND NEW.categories IS OLD.categories AND NEW.purpose IS OLD.purpose
          AND NEW.basis IS OLD.basis AND NEW.basis_ref IS OLD.basis_ref)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
