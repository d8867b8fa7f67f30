-- The access log in sixteen chains ("lanes"), as on PostgreSQL, where appends take the first
-- lane no other transaction holds. SQLite writes one transaction at a time, so its appends all
-- go to lane 1, and seq is the next after the largest. Lane n's chain starts from n - 1
-- written as 64 hex digits; lane 1 starts from the old genesis, so the existing chain is lane 1.
CREATE TABLE access_log_lanes (
    lane BIGINT PRIMARY KEY NOT NULL,
    -- the seq of the lane's newest entry; 0 before its first
    seq BIGINT NOT NULL,
    entry_hash TEXT NOT NULL,
    mac TEXT NOT NULL,
    -- the lanes with entries when the head was written, a bit per lane (lane 1 the lowest),
    -- under the MAC: a lane emptied again is found by the heads written since it opened
    opened BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT access_log_lanes_lane_check CHECK (lane BETWEEN 1 AND 16)
);
INSERT INTO access_log_lanes (lane, seq, entry_hash, mac) SELECT 1, seq, entry_hash, mac FROM access_log_head;
WITH RECURSIVE lanes (lane) AS (SELECT 2 UNION ALL SELECT lane + 1 FROM lanes WHERE lane < 16)
INSERT INTO access_log_lanes (lane, seq, entry_hash, mac) SELECT lane, 0, printf('%064x', lane - 1), '' FROM lanes;
DROP TABLE access_log_head;

-- Existing entries are lane 1's.
ALTER TABLE access_log ADD COLUMN lane INTEGER NOT NULL DEFAULT 1;
