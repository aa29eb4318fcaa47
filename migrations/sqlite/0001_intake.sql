-- The intake schema: customers, imported orders, conversations, cases with
-- their timeline and evidence, processed updates and the outbox.
-- All times are UTC, written by sqlx as RFC 3339 text.

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,               -- 'telegram' | 'terminal'
    external_id TEXT NOT NULL,               -- Telegram user id, terminal user name
    chat_id     INTEGER NOT NULL,            -- where replies go
    first_name  TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL,               -- 'zh' | 'en'
    created_at  TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE orders (
    order_no          TEXT PRIMARY KEY,
    phone             TEXT NOT NULL,         -- digits only
    phone_tail        TEXT NOT NULL,         -- last 7 digits, to find orders by a shared contact
    customer_name     TEXT NOT NULL,
    currency          TEXT NOT NULL,
    paid_at           TEXT,
    shipped_at        TEXT,
    delivered_at      TEXT,
    carrier           TEXT,
    tracking_no       TEXT,
    freight_insurance INTEGER NOT NULL DEFAULT 0,
    imported_at       TEXT NOT NULL
);
CREATE INDEX orders_by_phone_tail ON orders (phone_tail, paid_at);

CREATE TABLE order_lines (
    order_no         TEXT NOT NULL REFERENCES orders (order_no) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    item_name        TEXT NOT NULL,
    category         TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (order_no, sku)
);

-- One row per customer: the pure conversation's state, as JSON.
CREATE TABLE conversations (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE cases (
    id            TEXT PRIMARY KEY,          -- short, human-readable: AS-1001
    seq           INTEGER NOT NULL UNIQUE,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    order_no      TEXT NOT NULL REFERENCES orders (order_no),
    sku           TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    outcome       TEXT NOT NULL,
    status        TEXT NOT NULL,             -- approved | needs_review | not_eligible | closed …
    decision      TEXT NOT NULL,             -- the policy decision, as JSON
    wants_agent   INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX cases_by_customer ON cases (customer_id, created_at);

-- The case timeline: every event, who, when.
CREATE TABLE case_events (
    id      INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,                   -- customer | bot | agent:<id> | system
    kind    TEXT NOT NULL,
    data    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

CREATE TABLE evidence (
    id             INTEGER PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    kind           TEXT NOT NULL,            -- photo | video | image_file
    file_id        TEXT NOT NULL,
    file_unique_id TEXT NOT NULL,
    media_group_id TEXT,
    received_at    TEXT NOT NULL,
    sha256         TEXT,                     -- set once the copy is in the media folder
    local_path     TEXT,
    size_bytes     INTEGER,
    download_error TEXT,
    download_attempts INTEGER NOT NULL DEFAULT 0,
    UNIQUE (case_id, file_unique_id)
);
CREATE INDEX evidence_to_download ON evidence (case_id) WHERE sha256 IS NULL AND download_error IS NULL;

-- Security log: order-ownership proofs, locks, refused actions.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE order_locks (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    order_no    TEXT NOT NULL,
    until       TEXT NOT NULL,
    PRIMARY KEY (customer_id, order_no)
);

-- Requests for a person, queued until the agents' desk takes them.
CREATE TABLE agent_requests (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    case_id     TEXT REFERENCES cases (id),
    at          TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
);

-- Updates already applied: a redelivered update is recognised and skipped.
CREATE TABLE processed_updates (
    channel      TEXT NOT NULL,
    update_id    INTEGER NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
);

-- Replies waiting to go out; a sender per channel drains it.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,
    chat_id       INTEGER NOT NULL,
    payload       TEXT NOT NULL,             -- an Outgoing, as JSON
    coalesce_key  TEXT,                      -- a later reply with the same key replaces a pending one
    not_before    TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    message_id    INTEGER
);
CREATE INDEX outbox_due ON outbox (channel, not_before, id) WHERE status = 'pending';
CREATE UNIQUE INDEX outbox_pending_key ON outbox (coalesce_key) WHERE status = 'pending' AND coalesce_key IS NOT NULL;
