-- The access log as a Merkle tree (app/src/server/access_log/tree.rs). Each entry gets its leaf,
-- the exact bytes hashed into the tree, when it is written; the sequencer gives it its place in
-- the tree (leaf_index), in batches, after the read committed. Entries from before the tree get
-- their leaf from the sequencer too.
ALTER TABLE access_log ADD COLUMN leaf TEXT;
ALTER TABLE access_log ADD COLUMN leaf_index BIGINT CONSTRAINT access_log_leaf_index_check CHECK (leaf_index >= 0);
CREATE UNIQUE INDEX idx_access_log_leaf_index ON access_log (leaf_index);
CREATE INDEX idx_access_log_waiting ON access_log (seq) WHERE leaf_index IS NULL;

-- The tree's hash tiles (C2SP tlog-tiles, height 8): a tile only grows at its end until it
-- holds 256 hashes.
CREATE TABLE access_log_tiles (
    level BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    hashes BYTEA NOT NULL,
    PRIMARY KEY (level, idx),
    CONSTRAINT access_log_tiles_hashes_check
        CHECK (length(hashes) BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0)
);
ALTER TABLE access_log_tiles ALTER COLUMN hashes SET STORAGE EXTERNAL;

-- Every checkpoint the portal signed: the tree's size, its root and the signed note.
CREATE TABLE access_log_checkpoints (
    tree_size BIGINT PRIMARY KEY NOT NULL,
    root_hash TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    note TEXT NOT NULL
);

-- What the witness answered for a checkpoint: its cosignature lines (C2SP tlog-cosignature).
CREATE TABLE access_log_cosignatures (
    tree_size BIGINT NOT NULL REFERENCES access_log_checkpoints (tree_size),
    witness TEXT NOT NULL,
    signature TEXT NOT NULL,
    cosigned_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tree_size, witness)
);

-- Append-only: nothing is deleted; an entry changes only when the sequencer places it (its
-- leaf_index set once, and its leaf once if it had none); a tile only grows at its end. The
-- triggers hold for every user, the table's owner too; the office's role gets no more.
CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE FUNCTION access_log_place_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL AND NEW.leaf IS NOT NULL
        AND (OLD.leaf IS NULL OR NEW.leaf = OLD.leaf)
        AND (NEW.lane, NEW.seq, NEW.id, NEW.occurred_at, NEW.staff_id, NEW.office_code, NEW.citizen_id,
             NEW.categories, NEW.purpose, NEW.basis, NEW.basis_ref, NEW.prev_hash, NEW.entry_hash)
            IS NOT DISTINCT FROM
            (OLD.lane, OLD.seq, OLD.id, OLD.occurred_at, OLD.staff_id, OLD.office_code, OLD.citizen_id,
             OLD.categories, OLD.purpose, OLD.basis, OLD.basis_ref, OLD.prev_hash, OLD.entry_hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE FUNCTION access_log_tiles_grow_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.level = OLD.level AND NEW.idx = OLD.idx AND length(OLD.hashes) < 8192
        AND length(NEW.hashes) > length(OLD.hashes)
        AND substring(NEW.hashes FROM 1 FOR length(OLD.hashes)) = OLD.hashes THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_place_only();
CREATE TRIGGER access_log_tiles_append_only_update BEFORE UPDATE ON access_log_tiles
    FOR EACH ROW EXECUTE FUNCTION access_log_tiles_grow_only();
CREATE TRIGGER access_log_checkpoints_append_only_update BEFORE UPDATE ON access_log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_tiles_append_only_delete BEFORE DELETE ON access_log_tiles
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_checkpoints_append_only_delete BEFORE DELETE ON access_log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_cosignatures_append_only_update BEFORE UPDATE ON access_log_cosignatures
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_cosignatures_append_only_delete BEFORE DELETE ON access_log_cosignatures
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_append_only_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_tiles_append_only_truncate BEFORE TRUNCATE ON access_log_tiles
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_checkpoints_append_only_truncate BEFORE TRUNCATE ON access_log_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_cosignatures_append_only_truncate BEFORE TRUNCATE ON access_log_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();

-- The office's services run the sequencer: they place entries and keep tiles and checkpoints.
GRANT UPDATE (leaf, leaf_index) ON access_log TO klarsicht_office;
GRANT SELECT, INSERT, UPDATE ON access_log_tiles TO klarsicht_office;
GRANT SELECT, INSERT ON access_log_checkpoints, access_log_cosignatures TO klarsicht_office;
