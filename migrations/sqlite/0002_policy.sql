-- The policy engine and scripted retention (issue 3).

-- The version (content hash) of the rules that decided; also inside `decision`.
ALTER TABLE cases ADD COLUMN rules_version TEXT NOT NULL DEFAULT '';
-- The customer's word that the goods are unused, with tags and packaging;
-- NULL when the reason did not call for it.
ALTER TABLE cases ADD COLUMN resale_intact INTEGER;
-- When the replacement of an exchange was signed for: a later no-reason
-- return counts its window from here.
ALTER TABLE cases ADD COLUMN replacement_delivered_at TEXT;
-- Money refunded on this case, in minor units of the order's currency;
-- later requests on the same line can get at most what is left.
ALTER TABLE cases ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0);

CREATE INDEX cases_order_line ON cases (order_no, sku, seq);

-- Retention offers made on a case and what the customer said, for the
-- reports and the per-customer limits.
CREATE TABLE retention_offers (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    offer_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,           -- coupon | gift | keep_discount | other_style
    value_minor INTEGER,
    currency    TEXT,
    result      TEXT NOT NULL CHECK (result IN ('accepted', 'declined')),
    at          TEXT NOT NULL
);
CREATE INDEX retention_offers_customer ON retention_offers (customer_id, result, at);
CREATE INDEX retention_offers_case ON retention_offers (case_id);
