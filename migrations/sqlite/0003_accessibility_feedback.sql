-- What people report about barriers in the portal (BITV 2.0 § 7: a way to give feedback).
-- Anyone may write, signed in or not; nothing links a message to an account.
CREATE TABLE accessibility_feedback (
    id TEXT PRIMARY KEY NOT NULL,
    received_at TEXT NOT NULL,
    -- The page the barrier is on, as the person named it (may be empty).
    page TEXT NOT NULL,
    message TEXT NOT NULL,
    -- How to answer, only if the person wants an answer.
    contact TEXT,
    language TEXT NOT NULL,
    CONSTRAINT accessibility_feedback_message_check CHECK (message <> ''),
    CONSTRAINT accessibility_feedback_language_check CHECK (language IN ('de', 'en'))
);
CREATE INDEX idx_accessibility_feedback_received_at ON accessibility_feedback (received_at);
