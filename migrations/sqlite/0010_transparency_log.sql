-- The access log as a Merkle tree (app/src/server/access_log/tree.rs). Each entry gets its leaf,
-- the exact bytes hashed into the tree, when it is written; the sequencer gives it its place in
-- the tree (leaf_index), in batches, after the read committed. Entries from before the tree get
-- their leaf from the sequencer too.
ALTER TABLE access_log ADD COLUMN leaf TEXT;
ALTER TABLE access_log ADD COLUMN leaf_index INTEGER CONSTRAINT access_log_leaf_index_check CHECK (leaf_index >= 0);
CREATE UNIQUE INDEX idx_access_log_leaf_index ON access_log (leaf_index);
CREATE INDEX idx_access_log_waiting ON access_log (seq) WHERE leaf_index IS NULL;

-- The tree's hash tiles (C2SP tlog-tiles, height 8): a tile only grows at its end until it
-- holds 256 hashes.
CREATE TABLE access_log_tiles (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx),
    CONSTRAINT access_log_tiles_hashes_check
        CHECK (length(hashes) BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0)
);

-- Every checkpoint the portal signed: the tree's size, its root and the signed note.
CREATE TABLE access_log_checkpoints (
    tree_size INTEGER PRIMARY KEY NOT NULL,
    root_hash TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    note TEXT NOT NULL
);

-- What the witness answered for a checkpoint: its cosignature lines (C2SP tlog-cosignature).
CREATE TABLE access_log_cosignatures (
    tree_size INTEGER NOT NULL REFERENCES access_log_checkpoints (tree_size),
    witness TEXT NOT NULL,
    signature TEXT NOT NULL,
    cosigned_at TEXT NOT NULL,
    PRIMARY KEY (tree_size, witness)
);

-- Append-only: nothing is deleted; an entry changes only when the sequencer places it (its
-- leaf_index set once, and its leaf once if it had none); a tile only grows at its end.
CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
WHEN NOT (OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL AND NEW.leaf IS NOT NULL
          AND (OLD.leaf IS NULL OR NEW.leaf = OLD.leaf)
          AND NEW.lane IS OLD.lane AND NEW.seq IS OLD.seq AND NEW.id IS OLD.id
          AND NEW.occurred_at IS OLD.occurred_at AND NEW.staff_id IS OLD.staff_id
          AND NEW.office_code IS OLD.office_code AND NEW.citizen_id IS OLD.citizen_id
          AND NEW.categories IS OLD.categories AND NEW.purpose IS OLD.purpose
          AND NEW.basis IS OLD.basis AND NEW.basis_ref IS OLD.basis_ref
          AND NEW.prev_hash IS OLD.prev_hash AND NEW.entry_hash IS OLD.entry_hash)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_tiles_append_only_delete BEFORE DELETE ON access_log_tiles
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_tiles_append_only_update BEFORE UPDATE ON access_log_tiles
WHEN NOT (NEW.level = OLD.level AND NEW.idx = OLD.idx AND length(OLD.hashes) < 8192
          AND length(NEW.hashes) > length(OLD.hashes)
          AND substr(NEW.hashes, 1, length(OLD.hashes)) = OLD.hashes)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_checkpoints_append_only_delete BEFORE DELETE ON access_log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_checkpoints_append_only_update BEFORE UPDATE ON access_log_checkpoints
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_cosignatures_append_only_delete BEFORE DELETE ON access_log_cosignatures
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_cosignatures_append_only_update BEFORE UPDATE ON access_log_cosignatures
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
