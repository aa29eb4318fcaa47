-- Follow-ups: the return parcel of each approved return or exchange, events
-- pushed by the shop's systems (by id, so a repeat is recognised), refunds
-- issued (one idempotency key per case) and the satisfaction survey.

-- One return per case; `state` is the follow-up core's `Return` as JSON.
CREATE TABLE returns (
    case_id     TEXT PRIMARY KEY REFERENCES cases (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    stage       TEXT NOT NULL,
    tracking_no TEXT,
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX returns_by_tracking ON returns (tracking_no) WHERE tracking_no IS NOT NULL;
CREATE INDEX returns_by_customer ON returns (customer_id, stage);

-- Events posted to the push endpoint, recorded in the transaction that applied them.
-- Follow-ups check whether a customer still accepts messages.
CREATE INDEX outbox_finished_by_chat ON outbox (channel, chat_id, sent_at) WHERE status != 'pending';

CREATE TABLE pushed_events (
    event_id    TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- Refunds asked of the shop's refund system (or of an agent, by hand).
CREATE TABLE refunds (
    case_id         TEXT PRIMARY KEY REFERENCES cases (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,           -- requested | issued | refused
    reference       TEXT,
    error           TEXT,
    requested_at    TEXT NOT NULL,
    settled_at      TEXT
);

-- The survey, stored on the case: its state as JSON, the score for reports.
ALTER TABLE cases ADD COLUMN survey TEXT;
ALTER TABLE cases ADD COLUMN survey_score INTEGER;
ALTER TABLE cases ADD COLUMN survey_comment TEXT;
-- Why follow-ups on the case stopped (the customer blocked the bot).
ALTER TABLE cases ADD COLUMN followup_stopped TEXT;
