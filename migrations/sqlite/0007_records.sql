-- Records (issue 13): when `records purge` removed the personal data of a
-- case and of its customer, keeping the anonymous facts the reports count.
ALTER TABLE cases ADD COLUMN purged_at TEXT;
ALTER TABLE customers ADD COLUMN purged_at TEXT;

-- When a case closed: the time of its first closing event (closed by the
-- follow-ups or an agent, or kept for a retention offer), kept on the case
-- by the trigger below so that a period's cases are found by index rather
-- than by reading every case's timeline. (A refusal has no closing event:
-- the report's `CLOSED_AT` counts it over when decided.)
ALTER TABLE cases ADD COLUMN closed_at TEXT;
UPDATE cases SET closed_at =
    (SELECT min(e.at) FROM case_events e WHERE e.case_id = cases.id AND e.kind IN ('closed', 'closed_retained'));
CREATE TRIGGER cases_closed_at AFTER INSERT ON case_events
WHEN NEW.kind IN ('closed', 'closed_retained')
BEGIN
    UPDATE cases SET closed_at = NEW.at WHERE id = NEW.case_id AND (closed_at IS NULL OR closed_at > NEW.at);
END;

-- The report's reads (`store::report`): the cases opened in a period, closed
-- in it or after it, still open, or surveyed in it; the order lines
-- delivered, the retention offers made and the return parcels that moved in
-- it; a case's first event of a kind.
CREATE INDEX cases_by_created ON cases (created_at);
CREATE INDEX cases_by_closed ON cases (closed_at, created_at);
CREATE INDEX cases_by_survey ON cases (json_extract(survey, '$.sent_at'), created_at);
CREATE INDEX case_events_by_kind ON case_events (case_id, kind, at);
CREATE INDEX orders_by_delivered ON orders (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX retention_offers_by_time ON retention_offers (at);
CREATE INDEX returns_by_update ON returns (updated_at, created_at);
CREATE INDEX returns_moving ON returns (created_at) WHERE stage IN ('awaiting_parcel', 'on_the_way');
