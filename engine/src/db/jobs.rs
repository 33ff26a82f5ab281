//! The job table: work written in the transaction that makes it necessary and done by
//! workers (`crate::jobs`). A worker claims a job with a lease; a job whose lease ran out (its
//! worker died) is claimed again. On PostgreSQL the claim skips rows another server is
//! claiming (`FOR UPDATE SKIP LOCKED`); on SQLite one process owns the file and the claim's
//! single UPDATE is atomic.

use sqlx::FromRow;

use super::{Backend, Db, DbError};

/// A job to enqueue. Its `key` names the work itself: enqueueing the same key again is a no-op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    pub key: String,
    pub payload: String,
    pub run_at: i64,
    /// Already claimed by this worker until this time: the request that enqueues it does the
    /// work itself, and a worker only if the request dies.
    pub held: Option<(String, i64)>,
}

/// A claimed job.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    #[sqlx(rename = "dedupe_key")]
    pub key: String,
    pub payload: String,
    /// Claims so far, this one included.
    pub attempts: i64,
}

/// A job's state as the back office and the tests see it.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct JobState {
    pub id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Enqueues `job` in the caller's transaction: its id, or `None` when its key was already
/// enqueued.
pub async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job: &NewJob,
    now: i64,
) -> Result<Option<i64>, DbError> {
    Ok(enqueue_all(tx, std::slice::from_ref(job), now)
        .await?
        .remove(0))
}

/// Enqueues `jobs` (distinct keys) in one statement, in the caller's transaction: each one's
/// id, or `None` where its key was already enqueued.
pub async fn enqueue_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    jobs: &[NewJob],
    now: i64,
) -> Result<Vec<Option<i64>>, DbError> {
    const PER_ROW: usize = 9;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO jobs (kind, dedupe_key, payload, state, run_at, created_at, worker, \
         lease_until, attempts) VALUES {} \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key",
        super::value_rows(jobs.len(), PER_ROW)
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql).persistent(jobs.len() == 1);
    for job in jobs {
        let (state, worker, lease_until, attempts) = match &job.held {
            Some((worker, until)) => ("running", Some(worker.as_str()), Some(*until), 1),
            None => ("queued", None, None, 0),
        };
        query = query
            .bind(&job.kind)
            .bind(&job.key)
            .bind(&job.payload)
            .bind(state)
            .bind(job.run_at)
            .bind(now)
            .bind(worker)
            .bind(lease_until)
            .bind(attempts);
    }
    let ids: std::collections::HashMap<String, i64> = query
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id, key)| (key, id))
        .collect();
    Ok(jobs.iter().map(|job| ids.get(&job.key).copied()).collect())
}

const CLAIMED: &str = "id, kind, dedupe_key, payload, attempts";
/// A job that may be claimed at `$3`: due, or held by a lease that ran out.
const DUE: &str =
    "((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3))";

/// Claims the next job that is due (or whose lease ran out) for `worker` until `lease_until`.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<Job>, DbError> {
    Ok(claim_many(db, worker, now, lease_until, 1, &[])
        .await?
        .pop())
}

/// Claims up to `limit` jobs that are due, oldest first, in one statement: a busy queue is
/// taken in batches rather than a write per job. Queued jobs of the kinds in `first` are taken
/// before any other (each kind is a plain name from the code, written into the statement).
pub async fn claim_many(
    db: &Db,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
    first: &[&str],
) -> Result<Vec<Job>, DbError> {
    // Each part of the due jobs is read in the order of an index (`jobs_due`, and
    // `jobs_kind_due` for a kind that goes first) and only as far as `limit`: an `OR` of them
    // made the database collect and sort every queued job for each claim, which took most of
    // a busy server's time (`make bench`). On PostgreSQL each part skips rows another server
    // is claiming.
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let part = |due: String, rank: u8| {
        format!(
            "SELECT * FROM (SELECT id, run_at, {rank} AS rank FROM jobs WHERE {due} \
             ORDER BY run_at, id LIMIT $4{lock}) AS part{rank}"
        )
    };
    let mut parts: Vec<String> = first
        .iter()
        .map(|kind| {
            assert!(
                kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "a job kind is a plain name"
            );
            part(
                format!("state = 'queued' AND kind = '{kind}' AND run_at <= $3"),
                0,
            )
        })
        .collect();
    let others = first
        .iter()
        .map(|kind| format!(" AND kind <> '{kind}'"))
        .collect::<String>();
    parts.push(part(
        format!("state = 'queued' AND run_at <= $3{others}"),
        1,
    ));
    parts.push(part("state = 'running' AND lease_until < $3".into(), 1));
    let due = format!(
        "SELECT id FROM ({}) AS due ORDER BY rank, run_at, id LIMIT $4",
        parts.join(" UNION ALL ")
    );
    // PostgreSQL may run an `IN (subquery)` more than once, each time skipping other rows
    // and so claiming more than `limit`: the array is computed once.
    let picked = match db.backend() {
        Backend::Postgres => format!("id = ANY(ARRAY({due}))"),
        Backend::Sqlite => format!("id IN ({due})"),
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2, \
         attempts = attempts + 1 WHERE {picked} AND {DUE} RETURNING {CLAIMED}"
    );
    let mut jobs: Vec<Job> = sqlx::query_as(&sql)
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(db.writer().await.pool())
        .await?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Marks a job done, if `worker` still holds it (`false`: its lease ran out and another
/// worker claimed it).
pub async fn finish(db: &Db, job: &Job, worker: &str, now: i64) -> Result<bool, DbError> {
    Ok(finish_all(db, &[job.id], worker, now).await?.remove(0))
}

/// [`finish`] for several jobs in one statement: whether each was still `worker`'s.
pub async fn finish_all(
    db: &Db,
    ids: &[i64],
    worker: &str,
    now: i64,
) -> Result<Vec<bool>, DbError> {
    finish_in(db.writer().await.pool(), ids, worker, now).await
}

/// [`finish_all`] on `executor`: in a transaction, the jobs are done if and only if what else
/// it writes is.
pub async fn finish_in<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    ids: &[i64],
    worker: &str,
    now: i64,
) -> Result<Vec<bool>, DbError> {
    let params: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "UPDATE jobs SET state = 'done', finished_at = $1, lease_until = NULL, last_error = NULL \
         WHERE worker = $2 AND state = 'running' AND id IN ({}) RETURNING id",
        params.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64,)>(&sql)
        .persistent(ids.len() == 1)
        .bind(now)
        .bind(worker);
    for id in ids {
        query = query.bind(id);
    }
    let done: std::collections::HashSet<i64> = query
        .fetch_all(executor)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    Ok(ids.iter().map(|id| done.contains(id)).collect())
}

/// Records a failed attempt: the job runs again at `retry_at`, or with `None` is left dead.
pub async fn fail(
    db: &Db,
    job: &Job,
    worker: &str,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<(), DbError> {
    let (state, run_at, finished) = match retry_at {
        Some(at) => ("queued", at, None),
        None => ("dead", now, Some(now)),
    };
    sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, finished_at = $3, last_error = $4, \
         lease_until = NULL WHERE id = $5 AND worker = $6 AND state = 'running'",
    )
    .bind(state)
    .bind(run_at)
    .bind(finished)
    .bind(error)
    .bind(job.id)
    .bind(worker)
    .execute(db.writer().await.pool())
    .await?;
    Ok(())
}

/// Hands back the jobs `worker` holds (it is shutting down): others claim them at once.
pub async fn release(db: &Db, worker: &str) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "UPDATE jobs SET state = 'queued', lease_until = NULL, attempts = attempts - 1 \
         WHERE worker = $1 AND state = 'running'",
    )
    .bind(worker)
    .execute(db.writer().await.pool())
    .await?
    .rows_affected())
}

/// Extends the leases `worker` holds (it is alive and still working) to `lease_until`.
pub async fn renew(db: &Db, worker: &str, lease_until: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE jobs SET lease_until = $1 WHERE worker = $2 AND state = 'running'")
        .bind(lease_until)
        .bind(worker)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}

/// On SQLite, where one process owns the file, every job still running at start-up was held
/// by a process that died: hands them all back at once instead of waiting for their leases.
/// Not those `worker` (this process) holds: a request may already have written one held.
pub async fn release_orphans(db: &Db, worker: &str) -> Result<u64, DbError> {
    if db.backend() != Backend::Sqlite {
        return Ok(0);
    }
    Ok(sqlx::query(
        "UPDATE jobs SET state = 'queued', lease_until = NULL \
         WHERE state = 'running' AND worker <> $1",
    )
    .bind(worker)
    .execute(db.writer().await.pool())
    .await?
    .rows_affected())
}

/// The jobs of `kind`, oldest first.
pub async fn of_kind(db: &Db, kind: &str) -> Result<Vec<JobState>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, dedupe_key, state, attempts, last_error FROM jobs \
         WHERE kind = $1 ORDER BY id",
    )
    .bind(kind)
    .fetch_all(db.pool())
    .await?)
}

/// Whether the job `key` is still to be done (queued, or running).
pub async fn is_open(db: &Db, key: &str) -> Result<bool, DbError> {
    let open: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'running')",
    )
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    Ok(open.is_some())
}
