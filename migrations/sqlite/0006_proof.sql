-- Wrong answers to the ownership question, kept per order and chat so that
-- starting over (/cancel, /start, a restart) does not reset the count, and
-- counted across chats so that many accounts do not multiply the tries.
CREATE TABLE proof_failures (
    id          INTEGER PRIMARY KEY,
    order_no    TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    at          TEXT NOT NULL
);
CREATE INDEX proof_failures_by_order ON proof_failures (order_no, at);

-- When the agents' group was told an order went to contact-only proof, so it
-- is told once per window.
CREATE TABLE proof_alerts (
    order_no    TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX proof_alerts_by_order ON proof_alerts (order_no, at);
