-- Human agents (issue 4): escalations, a forum topic per case in the
-- agents' group, relayed messages (to mirror edits), and durable jobs.

-- A case (or a customer without one) handed to the agents. At most one
-- active (queued or taken) escalation per customer: while it lasts, what the
-- customer sends is relayed to the agents instead of answered by the bot.
CREATE TABLE escalations (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    case_id       TEXT REFERENCES cases (id),
    topic_key     TEXT NOT NULL,             -- 'case:AS-1001' | 'customer:7'
    why           TEXT NOT NULL,             -- customer_asked | review | high_value | …
    status        TEXT NOT NULL CHECK (status IN ('queued', 'taken', 'handed_back', 'closed')),
    assignee_id   INTEGER,                   -- the agent's Telegram user id
    assignee_name TEXT,
    opened_at     TEXT NOT NULL,
    taken_at      TEXT,
    closed_at     TEXT,
    pings         INTEGER NOT NULL DEFAULT 0,-- service-level reminders sent to the group
    told_late     INTEGER NOT NULL DEFAULT 0,-- the customer was told the wait is longer than promised
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX escalations_active ON escalations (customer_id) WHERE status IN ('queued', 'taken');
CREATE INDEX escalations_by_status ON escalations (status, opened_at);
CREATE INDEX escalations_by_topic ON escalations (topic_key, id);

-- Requests for a person queued before this migration become escalations.
INSERT INTO escalations (customer_id, case_id, topic_key, why, status, opened_at, updated_at)
SELECT customer_id, case_id, coalesce('case:' || case_id, 'customer:' || customer_id), 'customer_asked', 'queued', at, at
FROM agent_requests WHERE status = 'queued'
  AND id IN (SELECT max(id) FROM agent_requests WHERE status = 'queued' GROUP BY customer_id);
DROP TABLE agent_requests;

-- One topic per key in the agents' group. The desk writes what the topic
-- should show (name, card, evidence album); the sender creates the topic,
-- posts and pins the card when it first sends there (or again after the
-- topic was deleted by hand) and records the ids it got.
CREATE TABLE topics (
    key             TEXT PRIMARY KEY,
    chat_id         INTEGER NOT NULL,        -- the agents' group
    forum           INTEGER NOT NULL,        -- 1: a forum topic; 0: the card is a plain message agents reply to
    name            TEXT NOT NULL,
    card_text       TEXT NOT NULL,
    card_keyboard   TEXT NOT NULL,           -- a Keyboard, as JSON
    album           TEXT NOT NULL DEFAULT '[]', -- evidence posted after the card: [{"kind":"photo","file_id":…}]
    thread_id       INTEGER,                 -- NULL until created, and again after it was deleted
    card_message_id INTEGER,                 -- NULL until posted
    card_pinned     INTEGER NOT NULL DEFAULT 0,
    album_posted    INTEGER NOT NULL DEFAULT 0,
    closed          INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX topics_by_thread ON topics (chat_id, thread_id) WHERE thread_id IS NOT NULL;

-- Rows for a topic name its key; the sender resolves the thread at send time.
ALTER TABLE outbox ADD COLUMN topic_key TEXT;
-- Which relayed copy an agent replied to (groups without topics).
CREATE INDEX outbox_by_message ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL;

-- A relayed message and the outbox row of its copy, to mirror later edits.
CREATE TABLE relays (
    id              INTEGER PRIMARY KEY,
    escalation_id   INTEGER NOT NULL REFERENCES escalations (id),
    from_chat       INTEGER NOT NULL,
    from_message_id INTEGER NOT NULL,
    outbox_id       INTEGER NOT NULL REFERENCES outbox (id),
    UNIQUE (from_chat, from_message_id)
);

-- Responsibility code for the closed case (DOMAIN.md §3), and the amount
-- an agent agreed to refund or pay back, in the order's minor units.
ALTER TABLE cases ADD COLUMN responsibility INTEGER CHECK (responsibility BETWEEN 1 AND 9);
ALTER TABLE cases ADD COLUMN agreed_minor INTEGER CHECK (agreed_minor >= 0);

-- Durable follow-ups: a row per job, found by due time through the index.
-- `key` makes scheduling idempotent: one pending job per key.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,         -- e.g. 'sla:12'
    kind       TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (due_at, id);
