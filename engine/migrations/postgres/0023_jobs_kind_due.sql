-- The kinds a server claims before any other (the providers' messages, `jobs::Handlers::first`)
-- are read per kind in this index's order, so a claim never walks past the other due jobs.
CREATE INDEX jobs_kind_due ON jobs (state, kind, run_at, id);
