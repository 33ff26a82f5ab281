-- What messages from outside (provider returns and notifications) cost per payment and per
-- client address, in fixed windows: beyond a budget a message is dropped unstored and only
-- counted on its payment (`dropped_messages`, shown in the timeline).
CREATE TABLE message_budgets (
    subject TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);
ALTER TABLE payments ADD COLUMN dropped_messages INTEGER NOT NULL DEFAULT 0;
