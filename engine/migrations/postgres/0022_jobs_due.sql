-- Claiming takes the oldest due jobs in the index's order and stops at the batch's size:
-- `id` breaks ties of `run_at` in the index (the claim orders by both), so no claim sorts the
-- whole queue.
DROP INDEX jobs_ready;
CREATE INDEX jobs_due ON jobs (state, run_at, id);
