-- Threats (12315, lawyers, "sue") and service complaints, recorded in every
-- setup, with or without an agents' group, so shop owners can find them
-- (`aftersales cases list --flagged`). On the customer's open case, or on
-- the customer alone when they have none.
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    case_id     TEXT REFERENCES cases (id),
    kind        TEXT NOT NULL CHECK (kind IN ('threat', 'complaint')),
    text        TEXT NOT NULL,             -- what the customer wrote
    at          TEXT NOT NULL
);
CREATE INDEX flags_by_case ON flags (case_id, id);
