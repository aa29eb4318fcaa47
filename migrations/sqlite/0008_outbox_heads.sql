-- The sender's reads (issue 14): each chat's oldest pending row (its "head"),
-- in queue order. Walking the pending rows by id and probing each one's chat
-- for an older pending row stops after the rows a round needs; grouping every
-- pending row by chat first cost a scan and a sort of the whole backlog per
-- round (12 ms a round in a 5,000-survey burst).
CREATE INDEX outbox_pending ON outbox (channel, id) WHERE status = 'pending';
CREATE INDEX outbox_pending_by_chat ON outbox (channel, chat_id, id) WHERE status = 'pending';
