-- Waking the sender when another instance queues a reply (issue 15): every
-- statement that adds outbox rows notifies `aftersales_outbox` when its
-- transaction commits (PostgreSQL sends one notification per transaction
-- however many rows), and the leading instance LISTENs. Nothing on SQLite
-- (migrations/sqlite/0009): one process serves a SQLite file.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aftersales_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
