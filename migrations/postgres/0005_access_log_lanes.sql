-- The access log in sixteen chains ("lanes"), so that appends need not wait for one another:
-- each lane names its newest entry under the MAC (as the single head did), and an append takes
-- the first lane no other transaction holds. seq stays unique and orders the whole log; it is
-- drawn from a sequence while the lane is held, so within a lane it rises along the chain, but
-- the log as a whole may have gaps (an append rolled back). Lane n's chain starts from n - 1
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
INSERT INTO access_log_lanes (lane, seq, entry_hash, mac)
SELECT lane, 0, lpad(to_hex(lane - 1), 64, '0'), '' FROM generate_series(2, 16) AS lane;
DROP TABLE access_log_head;

-- Existing entries are lane 1's. No CHECK on the range: checking the log finds an entry of
-- an unknown lane, and a constraint would read every existing entry now.
ALTER TABLE access_log ADD COLUMN lane BIGINT NOT NULL DEFAULT 1;

CREATE SEQUENCE access_log_seq;
SELECT setval('access_log_seq', COALESCE((SELECT MAX(seq) FROM access_log), 0) + 1, false);
