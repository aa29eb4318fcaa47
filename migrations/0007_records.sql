-- Records (issue 13): when `records purge` removed the personal data of a
-- case and of its customer, keeping the anonymous facts the reports count.
ALTER TABLE cases ADD COLUMN purged_at TEXT;
ALTER TABLE customers ADD COLUMN purged_at TEXT;

-- The report's reads: the cases opened before a period ends, a case's
-- first closing event (also what `records purge` asks of every case), the
-- order lines delivered and the retention offers made in a period.
CREATE INDEX cases_by_created ON cases (created_at);
CREATE INDEX case_events_by_kind ON case_events (case_id, kind, at);
CREATE INDEX orders_by_delivered ON orders (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX retention_offers_by_time ON retention_offers (at);
