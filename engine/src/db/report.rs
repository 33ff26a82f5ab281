//! The payments report's queries: one WHERE clause built from the filter (only bound values,
//! never typed text in the SQL), shared by the page, its totals, the per-day chart and the CSV.
//! Indexes `payments_store_*` (migration 0006) keep each filter on the store's own rows.

use sqlx::FromRow;
use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;

use super::{Db, DbError};
use crate::money::Currency;
use crate::report::{
    DayTotal, Filter, MethodFilter, PAGE_SIZE, ReportPage, ReportQuery, ReportRow, SortKey,
    TextSearch, Totals, every_day,
};
use crate::status::PaymentStatus;
use crate::zones;

#[derive(FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    payer_name: String,
    mobile: String,
    amount: i64,
    discount: i64,
    currency: String,
    method: Option<String>,
    status: String,
    tracking_code: String,
    bank_ref: Option<String>,
    slip_number: Option<String>,
    description: Option<String>,
    attention: i64,
    live: i64,
}

impl Row {
    fn into_report(self, zone: &str) -> Result<(ReportRow, i64), DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("payment {}: {what}", self.id));
        Ok((
            ReportRow {
                currency: Currency::parse(&self.currency)
                    .ok_or_else(|| corrupt("unknown currency"))?,
                status: PaymentStatus::parse(&self.status)
                    .ok_or_else(|| corrupt("unknown status"))?,
                id: self.id,
                local_time: self.created_at + zones::offset_at(zone, self.created_at),
                payer_name: self.payer_name,
                mobile: self.mobile,
                amount: self.amount,
                method: self.method,
                tracking_code: self.tracking_code,
                bank_ref: self.bank_ref.or(self.slip_number),
                description: self.description,
                attention: self.attention != 0,
                live: self.live != 0,
            },
            self.discount,
        ))
    }
}

const SELECT: &str = "SELECT p.id, p.created_at, p.payer_name, p.mobile, p.amount, p.discount, \
    p.currency, m.display_name AS method, p.status, p.tracking_code, p.bank_ref, p.slip_number, \
    p.description, p.attention, p.live FROM payments p LEFT JOIN payment_methods m ON m.id = p.method_id AND m.store_id = p.store_id";

/// A bound value of the WHERE clause.
enum Value {
    Int(i64),
    Text(String),
}

/// `WHERE …` over `payments p` and its values in `$n` order.
struct Where {
    sql: String,
    values: Vec<Value>,
}

impl Where {
    /// The filter's days are the store's, in its time `zone`.
    fn new(store_id: i64, filter: &Filter, zone: &str) -> Where {
        let mut w = Where::keys("p", store_id, filter);
        if let Some(from) = filter.from {
            w.push(
                "p.created_at >= ?",
                Value::Int(zones::day_start(zone, from)),
            );
        }
        if let Some(to) = filter.to {
            w.push(
                "p.created_at < ?",
                Value::Int(zones::day_start(zone, to + 1)),
            );
        }
        if let Some(text) = &filter.text {
            w.text(&TextSearch::new(text));
        }
        if filter.attention {
            w.push("p.attention = ?", Value::Int(1));
        }
        w
    }

    /// The filter over `payment_counts c`, when it is one the counts can answer: no days, no
    /// text and no attention flag, which they do not keep.
    fn counted(store_id: i64, filter: &Filter) -> Option<Where> {
        let kept = filter.from.is_none()
            && filter.to.is_none()
            && filter.text.is_none()
            && !filter.attention;
        kept.then(|| Where::keys("c", store_id, filter))
    }

    /// The store and the conditions on the columns `payments` and `payment_counts` share,
    /// over `table`.
    fn keys(table: &str, store_id: i64, filter: &Filter) -> Where {
        let mut w = Where {
            sql: String::new(),
            values: Vec::new(),
        };
        w.push(&format!("{table}.store_id = ?"), Value::Int(store_id));
        if let Some(status) = filter.status {
            w.push(
                &format!("{table}.status = ?"),
                Value::Text(status.as_str().to_owned()),
            );
        }
        match filter.method {
            Some(MethodFilter::Gateway(id)) => {
                w.push(&format!("{table}.method_id = ?"), Value::Int(id))
            }
            Some(MethodFilter::BankSlip) => w.push(
                &format!("{table}.kind = ?"),
                Value::Text("bank_slip".to_owned()),
            ),
            None => {}
        }
        if let Some(live) = filter.live {
            w.push(&format!("{table}.live = ?"), Value::Int(i64::from(live)));
        }
        w
    }

    /// `AND`s a condition whose `?`s take the next values.
    fn push(&mut self, condition: &str, value: Value) {
        self.push_all(condition, vec![value]);
    }

    fn push_all(&mut self, condition: &str, values: Vec<Value>) {
        let mut sql = String::new();
        let mut n = self.values.len();
        for (i, part) in condition.split('?').enumerate() {
            if i > 0 {
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push_str(part);
        }
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        self.sql.push_str(&format!("({sql})"));
        self.values.extend(values);
    }

    /// Name (any part, any case), or one of the codes: exact payment number or tracking code,
    /// digits within the mobile, the bank reference or the slip number.
    fn text(&mut self, search: &TextSearch) {
        let mut any = vec!["LOWER(p.payer_name) LIKE ? ESCAPE '\\'".to_owned()];
        let mut values = vec![Value::Text(format!(
            "%{}%",
            like_escape(&search.text.to_lowercase())
        ))];
        if let Some(id) = search.payment_id {
            any.push("p.id = ?".to_owned());
            values.push(Value::Int(id));
        }
        if let Some(code) = &search.tracking_code {
            any.push("p.tracking_code = ?".to_owned());
            values.push(Value::Text(code.clone()));
        }
        if let Some(digits) = &search.digits {
            let pattern = format!("%{digits}%");
            // A mobile typed nationally (0912…) is stored in E.164 (+98912…).
            let national = digits.strip_prefix('0').unwrap_or(digits);
            for column in ["p.mobile", "p.bank_ref", "p.slip_number"] {
                any.push(format!("{column} LIKE ?"));
                let p = if column == "p.mobile" {
                    format!("%{national}%")
                } else {
                    pattern.clone()
                };
                values.push(Value::Text(p));
            }
        }
        self.push_all(&any.join(" OR "), values);
    }

    fn bind_all<'q, O>(
        &self,
        mut query: QueryAs<'q, sqlx::Any, O, AnyArguments<'q>>,
    ) -> QueryAs<'q, sqlx::Any, O, AnyArguments<'q>> {
        for value in &self.values {
            query = match value {
                Value::Int(n) => query.bind(*n),
                Value::Text(s) => query.bind(s.clone()),
            };
        }
        query
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn order_by(query: &ReportQuery) -> String {
    let dir = if query.descending { "DESC" } else { "ASC" };
    // Each order is an index's (migrations 0006 and 0024), so a page is read, not sorted.
    let columns = match query.sort {
        SortKey::Date => "p.created_at",
        SortKey::Amount => "p.amount",
        SortKey::Payer => "LOWER(p.payer_name)",
        SortKey::Status => "p.status {dir}, p.created_at",
    };
    format!(
        " ORDER BY {} {dir}, p.id {dir}",
        columns.replace("{dir}", dir)
    )
}

/// One page of the report, with the totals of everything the filter matches and the paid
/// amounts per day of the chart's range (in the store's currency). Days are the store's, in
/// its time `zone`; `today` is one of them. A page past the end shows the last page.
///
/// The three are read at once, each on a connection of its own: the page cannot wait for the
/// totals to say how many pages there are, so a page past the end is read again.
pub async fn page(
    db: &Db,
    store_id: i64,
    currency: Currency,
    zone: &str,
    query: &ReportQuery,
    today: i64,
) -> Result<ReportPage, DbError> {
    let filter = Where::new(store_id, &query.filter, zone);
    let (totals, rows, days) = tokio::try_join!(
        totals(db, store_id, &query.filter, zone),
        rows(db, &filter, query, page_of(query.page.max(1)), zone),
        per_day(db, store_id, currency, zone, query, query.chart_days(today)),
    )?;
    let pages = ((totals.count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let rows = if page == query.page {
        rows
    } else {
        self::rows(db, &filter, query, page_of(page), zone).await?
    };
    Ok(ReportPage {
        rows,
        page,
        pages,
        totals,
        days,
    })
}

/// The limit and offset of the `page`th page.
fn page_of(page: i64) -> (i64, i64) {
    (PAGE_SIZE, (page - 1) * PAGE_SIZE)
}

/// `limit` rows `filter` matches after the first `offset`, in the view's order. The page's
/// ids are picked first, over the order's index alone: selecting the rows themselves, the
/// database read every row it skipped (for the method's name), 50,000 for the last page.
async fn rows(
    db: &Db,
    filter: &Where,
    query: &ReportQuery,
    (limit, offset): (i64, i64),
    zone: &str,
) -> Result<Vec<ReportRow>, DbError> {
    let order = order_by(query);
    let sql = format!(
        "{SELECT} WHERE p.id IN (SELECT p.id FROM payments p{}{order} LIMIT {limit} OFFSET {offset}){order}",
        filter.sql,
    );
    let rows: Vec<Row> = filter
        .bind_all(sqlx::query_as(&sql))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter()
        .map(|r| r.into_report(zone).map(|(row, _)| row))
        .collect()
}

/// The totals of every payment `filter` matches (the overview's periods and counts).
pub async fn summary(
    db: &Db,
    store_id: i64,
    zone: &str,
    filter: &Filter,
) -> Result<Totals, DbError> {
    totals(db, store_id, filter, zone).await
}

/// The store's newest `count` payments.
pub async fn latest(
    db: &Db,
    store_id: i64,
    zone: &str,
    count: i64,
) -> Result<Vec<ReportRow>, DbError> {
    let filter = Where::new(store_id, &Filter::default(), zone);
    rows(db, &filter, &ReportQuery::default(), (count, 0), zone).await
}

/// From the counts the triggers keep (`payment_counts`) where the filter is one of theirs, so
/// the unfiltered report does not read every payment of the store; otherwise over the
/// payments themselves.
async fn totals(db: &Db, store_id: i64, filter: &Filter, zone: &str) -> Result<Totals, DbError> {
    // Postgres sums BIGINT as NUMERIC, which the Any driver cannot read: cast back.
    let (sql, w) = match Where::counted(store_id, filter) {
        Some(w) => (
            format!(
                "SELECT c.status, c.currency, CAST(SUM(c.payments) AS BIGINT), \
                 CAST(SUM(c.amount) AS BIGINT) FROM payment_counts c{} \
                 GROUP BY c.status, c.currency HAVING SUM(c.payments) <> 0 ORDER BY c.currency",
                w.sql
            ),
            w,
        ),
        None => {
            let w = Where::new(store_id, filter, zone);
            (
                format!(
                    "SELECT p.status, p.currency, COUNT(*), CAST(SUM(p.amount) AS BIGINT) \
                     FROM payments p{} GROUP BY p.status, p.currency ORDER BY p.currency",
                    w.sql
                ),
                w,
            )
        }
    };
    let groups: Vec<(String, String, i64, i64)> = w
        .bind_all(sqlx::query_as(&sql))
        .fetch_all(db.pool())
        .await?;
    let mut totals = Totals::default();
    for (status, currency, count, sum) in groups {
        totals.count += count;
        match PaymentStatus::parse(&status) {
            Some(PaymentStatus::Paid) => {
                totals.paid_count += count;
                let currency = Currency::parse(&currency)
                    .ok_or_else(|| DbError::Corrupt(format!("currency {currency:?}")))?;
                totals.paid.push((currency, sum));
            }
            Some(PaymentStatus::AwaitingConfirmation) => totals.awaiting_count += count,
            _ => {}
        }
    }
    Ok(totals)
}

async fn per_day(
    db: &Db,
    store_id: i64,
    currency: Currency,
    zone: &str,
    query: &ReportQuery,
    (from, to): (i64, i64),
) -> Result<Vec<DayTotal>, DbError> {
    let mut filter = query.filter.clone();
    filter.status = Some(PaymentStatus::Paid);
    filter.from = Some(from);
    filter.to = Some(to);
    let mut w = Where::new(store_id, &filter, zone);
    w.push("p.currency = ?", Value::Text(currency.code().to_owned()));
    let day = zones::day_sql(
        zone,
        "p.created_at",
        zones::day_start(zone, from),
        zones::day_start(zone, to + 1),
    );
    let sql = format!(
        "SELECT {day} AS day, COUNT(*), CAST(SUM(p.amount) AS BIGINT) \
         FROM payments p{} GROUP BY {day}",
        w.sql
    );
    let found: Vec<(i64, i64, i64)> = w
        .bind_all(sqlx::query_as(&sql))
        .fetch_all(db.pool())
        .await?;
    let found: Vec<DayTotal> = found
        .into_iter()
        .map(|(day, count, amount)| DayTotal { day, count, amount })
        .collect();
    Ok(every_day(from, to, &found))
}

/// Every row the filter matches, in the view's order, with each payment's discount, at most
/// `limit`: each handed to `row` as the database yields it (the CSV export sends them on
/// meanwhile). Returns how many there were.
pub async fn each_row(
    db: &Db,
    store_id: i64,
    zone: &str,
    query: &ReportQuery,
    limit: i64,
    mut row: impl FnMut((ReportRow, i64)),
) -> Result<u64, DbError> {
    use futures::TryStreamExt;
    let filter = Where::new(store_id, &query.filter, zone);
    let sql = format!("{SELECT}{}{} LIMIT {limit}", filter.sql, order_by(query));
    let mut rows = filter
        .bind_all(sqlx::query_as::<_, Row>(&sql))
        .fetch(db.pool());
    let mut count = 0;
    while let Some(found) = rows.try_next().await? {
        row(found.into_report(zone)?);
        count += 1;
    }
    Ok(count)
}

/// Folds the counts PostgreSQL's writers keep apart (`slot`: a server process each, see
/// migration 0024) into slot 0, so the totals read a few rows per store however many
/// processes have written. Rows a transaction holds are skipped (`SKIP LOCKED`), so this never
/// waits for a payment's writer nor makes one wait crosswise; two servers fold in turn. Returns
/// how many rows were folded. SQLite keeps one row per key and has nothing to fold.
pub async fn fold_counts(db: &Db) -> Result<u64, DbError> {
    if db.backend() != super::Backend::Postgres {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    super::lock_names(db, &mut tx, &["payment_counts"]).await?;
    let folded = sqlx::query(
        "WITH gone AS (DELETE FROM payment_counts WHERE ctid IN (SELECT ctid FROM payment_counts \
           WHERE slot <> 0 FOR UPDATE SKIP LOCKED) \
           RETURNING store_id, live, kind, method_id, status, currency, payments, amount) \
         INSERT INTO payment_counts (store_id, live, kind, method_id, status, currency, slot, payments, amount) \
         SELECT store_id, live, kind, method_id, status, currency, 0, SUM(payments), SUM(amount) \
         FROM gone GROUP BY store_id, live, kind, method_id, status, currency \
         ON CONFLICT (store_id, live, kind, method_id, status, currency, slot) DO UPDATE \
         SET payments = payment_counts.payments + EXCLUDED.payments, \
             amount = payment_counts.amount + EXCLUDED.amount",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM payment_counts WHERE slot = 0 AND payments = 0 AND amount = 0")
        .execute(&mut **tx)
        .await?;
    tx.commit().await?;
    Ok(folded)
}
