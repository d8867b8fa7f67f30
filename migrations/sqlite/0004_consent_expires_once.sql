-- A consent's expiry is recorded once, even when several instances on one database notice it
-- in the same minute (each runs the housekeeping round).
CREATE UNIQUE INDEX idx_consent_events_expired_once ON consent_events (consent_id) WHERE kind = 'expired';
