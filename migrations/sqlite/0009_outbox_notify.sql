-- Waking the sender when another instance queues a reply (issue 15): a
-- PostgreSQL trigger (migrations/postgres/0009). Nothing on SQLite: one
-- process serves a SQLite file, and it wakes its own sender in process.
SELECT 1;
