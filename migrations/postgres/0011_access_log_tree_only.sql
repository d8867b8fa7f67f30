-- The access log is the Merkle tree alone (app/src/server/access_log): the lanes, hash chains
-- under the server's secret that whoever held the secret could rewrite, are gone, and with them
-- the head row every append had to take. An entry takes its seq from the sequence as it is
-- written; the sequencer places it in the tree after its read committed.
DROP TABLE access_log_lanes;

-- The placing trigger names every column that must not change: without the lanes' columns
-- before they go.
CREATE OR REPLACE FUNCTION access_log_place_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL AND NEW.leaf IS NOT NULL
        AND (OLD.leaf IS NULL OR NEW.leaf = OLD.leaf)
        AND (NEW.seq, NEW.id, NEW.occurred_at, NEW.staff_id, NEW.office_code, NEW.citizen_id,
             NEW.categories, NEW.purpose, NEW.basis, NEW.basis_ref)
            IS NOT DISTINCT FROM
            (OLD.seq, OLD.id, OLD.occurred_at, OLD.staff_id, OLD.office_code, OLD.citizen_id,
             OLD.categories, OLD.purpose, OLD.basis, OLD.basis_ref) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
ALTER TABLE access_log DROP COLUMN lane, DROP COLUMN prev_hash, DROP COLUMN entry_hash;
ALTER TABLE access_log ALTER COLUMN seq SET DEFAULT nextval('access_log_seq');
ALTER SEQUENCE access_log_seq OWNED BY access_log.seq;
