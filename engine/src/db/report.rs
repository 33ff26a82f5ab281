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
        let mut w = Where {
            sql: String::new(),
            values: Vec::new(),
        };
        w.push("p.store_id = ?", Value::Int(store_id));
        if let Some(status) = filter.status {
            w.push("p.status = ?", Value::Text(status.as_str().to_owned()));
        }
        match filter.method {
            Some(MethodFilter::Gateway(id)) => w.push("p.method_id = ?", Value::Int(id)),
            Some(MethodFilter::BankSlip) => {
                w.push("p.kind = ?", Value::Text("bank_slip".to_owned()))
            }
            None => {}
        }
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
        if let Some(live) = filter.live {
            w.push("p.live = ?", Value::Int(i64::from(live)));
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
    let column = match query.sort {
        SortKey::Date => "p.created_at",
        SortKey::Amount => "p.amount",
        SortKey::Payer => "LOWER(p.payer_name)",
        SortKey::Status => "p.status",
    };
    let dir = if query.descending { "DESC" } else { "ASC" };
    format!(" ORDER BY {column} {dir}, p.id {dir}")
}

/// One page of the report, with the totals of everything the filter matches and the paid
/// amounts per day of the chart's range (in the store's currency). Days are the store's, in
/// its time `zone`; `today` is one of them. A page past the end shows the last page.
pub async fn page(
    db: &Db,
    store_id: i64,
    currency: Currency,
    zone: &str,
    query: &ReportQuery,
    today: i64,
) -> Result<ReportPage, DbError> {
    let filter = Where::new(store_id, &query.filter, zone);
    let totals = totals(db, &filter).await?;
    let pages = ((totals.count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let sql = format!(
        "{SELECT}{}{} LIMIT {PAGE_SIZE} OFFSET {}",
        filter.sql,
        order_by(query),
        (page - 1) * PAGE_SIZE
    );
    let rows: Vec<Row> = filter
        .bind_all(sqlx::query_as(&sql))
        .fetch_all(db.pool())
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| r.into_report(zone).map(|(row, _)| row))
        .collect::<Result<_, _>>()?;
    let (from, to) = query.chart_days(today);
    Ok(ReportPage {
        rows,
        page,
        pages,
        totals,
        days: per_day(db, store_id, currency, zone, query, (from, to)).await?,
    })
}

/// The totals of every payment `filter` matches (the overview's periods and counts).
pub async fn summary(
    db: &Db,
    store_id: i64,
    zone: &str,
    filter: &Filter,
) -> Result<Totals, DbError> {
    totals(db, &Where::new(store_id, filter, zone)).await
}

/// The store's newest `count` payments.
pub async fn latest(
    db: &Db,
    store_id: i64,
    zone: &str,
    count: i64,
) -> Result<Vec<ReportRow>, DbError> {
    let filter = Where::new(store_id, &Filter::default(), zone);
    let sql = format!(
        "{SELECT}{}{} LIMIT {count}",
        filter.sql,
        order_by(&ReportQuery::default())
    );
    let rows: Vec<Row> = filter
        .bind_all(sqlx::query_as(&sql))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter()
        .map(|r| r.into_report(zone).map(|(row, _)| row))
        .collect()
}

async fn totals(db: &Db, filter: &Where) -> Result<Totals, DbError> {
    // Postgres sums BIGINT as NUMERIC, which the Any driver cannot read: cast back.
    let sql = format!(
        "SELECT p.status, p.currency, COUNT(*), CAST(SUM(p.amount) AS BIGINT) FROM payments p{} \
         GROUP BY p.status, p.currency",
        filter.sql
    );
    let groups: Vec<(String, String, i64, i64)> = filter
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
