//! The payments report: its filter, sort and page (read from, and written back to, the page's
//! query string, so every view is a link), its rows and totals, and the CSV export.
//! Pure; the queries are `db::report`.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Unit, amount_input_value};
use crate::status::PaymentStatus;
use crate::time::{civil_from_days, format_day, parse_day};
use crate::tracking;
use crate::validation::{Field, FieldErrors, Problem};

pub const PAGE_SIZE: i64 = 25;
/// The longest search text; longer input is refused, not cut.
pub const MAX_TEXT: usize = 100;
/// The per-day chart shows at most this many days (the end of a longer range).
pub const MAX_CHART_DAYS: i64 = 366;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MethodFilter {
    /// Paid through this online method.
    Gateway(i64),
    BankSlip,
}

impl MethodFilter {
    fn parse(s: &str) -> Option<MethodFilter> {
        match s {
            "slip" => Some(MethodFilter::BankSlip),
            _ => s
                .strip_prefix("gateway:")?
                .parse()
                .ok()
                .map(MethodFilter::Gateway),
        }
    }

    pub fn encode(self) -> String {
        match self {
            MethodFilter::Gateway(id) => format!("gateway:{id}"),
            MethodFilter::BankSlip => "slip".to_owned(),
        }
    }
}

/// Which payments the report shows. Days are UTC days since 1970-01-01, both ends included.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub status: Option<PaymentStatus>,
    pub method: Option<MethodFilter>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Matches the payer's name, the mobile, the payment, tracking, bank and slip codes.
    pub text: Option<String>,
    /// Only payments flagged for the merchant (money taken that Kassa refused or did not expect).
    pub attention: bool,
    /// Only payments against the provider's live system (`true`) or its test one (`false`).
    pub live: Option<bool>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Date,
    Amount,
    Payer,
    Status,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::Date,
        SortKey::Amount,
        SortKey::Payer,
        SortKey::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Date => "date",
            SortKey::Amount => "amount",
            SortKey::Payer => "payer",
            SortKey::Status => "status",
        }
    }
}

/// One view of the report: filter, order and page (1-based). In the query string the method
/// is `via` (the islands router reads a form field named `method` as the form's method).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub filter: Filter,
    pub sort: SortKey,
    pub descending: bool,
    pub page: i64,
}

impl Default for ReportQuery {
    /// Newest first.
    fn default() -> ReportQuery {
        ReportQuery {
            filter: Filter::default(),
            sort: SortKey::Date,
            descending: true,
            page: 1,
        }
    }
}

impl ReportQuery {
    /// Reads the page's query parameters. What does not parse is left out of the query and
    /// named in the errors, so the page can say why a filter was not applied.
    pub fn parse(params: &[(String, String)]) -> (ReportQuery, FieldErrors) {
        let mut query = ReportQuery::default();
        let mut errors = FieldErrors::default();
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        if let Some(s) = get("status") {
            query.filter.status = PaymentStatus::parse(s);
            if query.filter.status.is_none() {
                errors.add(Field::Status, Problem::Invalid);
            }
        }
        if let Some(m) = get("via") {
            query.filter.method = MethodFilter::parse(m);
            if query.filter.method.is_none() {
                errors.add(Field::Method, Problem::Invalid);
            }
        }
        for (name, field) in [("from", Field::DateFrom), ("to", Field::DateTo)] {
            if let Some(d) = get(name) {
                let day = parse_day(d);
                if day.is_none() {
                    errors.add(field, Problem::Invalid);
                }
                match name {
                    "from" => query.filter.from = day,
                    _ => query.filter.to = day,
                }
            }
        }
        if let (Some(from), Some(to)) = (query.filter.from, query.filter.to)
            && from > to
        {
            errors.add(Field::DateTo, Problem::BeforeStart);
            query.filter.to = None;
        }
        query.filter.attention = get("attention").is_some();
        if let Some(mode) = get("mode") {
            query.filter.live = match mode {
                "live" => Some(true),
                "test" => Some(false),
                _ => {
                    errors.add(Field::Mode, Problem::Invalid);
                    None
                }
            };
        }
        if let Some(text) = get("q") {
            if text.chars().count() > MAX_TEXT {
                errors.add(Field::Search, Problem::TooLong);
            } else {
                query.filter.text = Some(text.to_owned());
            }
        }
        if let Some(sort) = get("sort") {
            query.sort = SortKey::ALL
                .into_iter()
                .find(|k| k.as_str() == sort)
                .unwrap_or_default();
        }
        query.descending = get("dir") != Some("asc");
        query.page = get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        (query, errors)
    }

    /// The query string of this view (without `?`), as `parse` reads it.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let f = &self.filter;
        if let Some(s) = f.status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        if let Some(m) = f.method {
            pairs.push(("via", m.encode()));
        }
        if let Some(d) = f.from {
            pairs.push(("from", format_day(d)));
        }
        if let Some(d) = f.to {
            pairs.push(("to", format_day(d)));
        }
        if let Some(q) = &f.text {
            pairs.push(("q", q.clone()));
        }
        if f.attention {
            pairs.push(("attention", "1".to_owned()));
        }
        if let Some(live) = f.live {
            pairs.push(("mode", mode_name(live).to_owned()));
        }
        if self.sort != SortKey::Date {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if !self.descending {
            pairs.push(("dir", "asc".to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_component(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// This view sorted by `key`: a second click on the current key reverses the order.
    pub fn sorted_by(&self, key: SortKey) -> ReportQuery {
        ReportQuery {
            sort: key,
            descending: if self.sort == key {
                !self.descending
            } else {
                key == SortKey::Date || key == SortKey::Amount
            },
            page: 1,
            ..self.clone()
        }
    }

    pub fn with_page(&self, page: i64) -> ReportQuery {
        ReportQuery {
            page,
            ..self.clone()
        }
    }

    /// The days the per-day chart covers: the filter's range, or the 30 days up to `today`;
    /// at most [`MAX_CHART_DAYS`], keeping the end.
    pub fn chart_days(&self, today: i64) -> (i64, i64) {
        let to = self.filter.to.unwrap_or(today);
        let from = self
            .filter
            .from
            .unwrap_or(to - 29)
            .max(to - MAX_CHART_DAYS + 1);
        (from, to)
    }
}

/// `live` or `test`: a payment's mode as the report's query and the CSV write it.
pub fn mode_name(live: bool) -> &'static str {
    if live { "live" } else { "test" }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters and `:` stay as they are).
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the free-text search looks for: the text as typed (name) and, where it could be one, a
/// payment number, a tracking code or digits (mobile, bank and slip codes); `#12` looks for
/// payment 12 only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextSearch {
    pub text: String,
    pub payment_id: Option<i64>,
    pub tracking_code: Option<String>,
    /// ASCII digits of the text (Persian and Arabic digits converted), if it has any.
    pub digits: Option<String>,
}

impl TextSearch {
    pub fn new(text: &str) -> TextSearch {
        let ascii = crate::digits::to_ascii(text.trim());
        // `#123` is a payment code and nothing else.
        if let Some(number) = ascii.strip_prefix('#') {
            return TextSearch {
                text: text.trim().to_owned(),
                payment_id: number.trim().parse().ok(),
                tracking_code: None,
                digits: None,
            };
        }
        // A tracking code has letters (all twelve symbols digits: under one in a million); one
        // that reads as a code is looked up as that code alone, not as digits of a mobile.
        let tracking_code =
            tracking::normalize(&ascii).filter(|_| ascii.chars().any(|c| c.is_ascii_alphabetic()));
        let digits: String = ascii.chars().filter(char::is_ascii_digit).collect();
        TextSearch {
            text: text.trim().to_owned(),
            payment_id: ascii.parse().ok(),
            digits: (tracking_code.is_none() && !digits.is_empty()).then_some(digits),
            tracking_code,
        }
    }
}

/// One payment as the report lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// The payment code (the merchant's number for it).
    pub id: i64,
    /// When it was made, on the store's clock: Unix milliseconds plus the store's offset
    /// from UTC at that moment (`zones`), so it is written as the store's local time.
    pub local_time: i64,
    pub payer_name: String,
    pub mobile: String,
    pub amount: i64,
    pub currency: Currency,
    /// The online method's name; `None` for a bank slip.
    pub method: Option<String>,
    pub status: PaymentStatus,
    pub tracking_code: String,
    /// The bank's own reference (for an online payment) or the slip number.
    pub bank_ref: Option<String>,
    pub description: Option<String>,
    /// Flagged for the merchant (see [`Filter::attention`]).
    pub attention: bool,
    /// Against the provider's live system, not its test one.
    pub live: bool,
}

/// One entry of a payment's timeline: a status change or a message that changed nothing
/// (`ignored:…`, a refused callback), with the raw provider message or the merchant's reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(sqlx::FromRow))]
pub struct Event {
    pub id: i64,
    /// `customer`, `provider`, `merchant` or `system`.
    pub source: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: Option<String>,
    pub created_at: i64,
}

/// Sums over every row the filter matches (not just the page).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub count: i64,
    pub paid_count: i64,
    pub awaiting_count: i64,
    /// What was paid, per currency (a store that changed its currency has more than one).
    pub paid: Vec<(Currency, i64)>,
}

/// The paid payments of one day, in the store's currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotal {
    pub day: i64,
    pub count: i64,
    pub amount: i64,
}

/// One page of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPage {
    pub rows: Vec<ReportRow>,
    pub page: i64,
    pub pages: i64,
    pub totals: Totals,
    /// Every day of the chart's range, including the days without payments.
    pub days: Vec<DayTotal>,
}

/// The overview's periods as the store's days, both ends included: today, this week and this
/// month. A week starts on the day it does where `lang` is spoken: Sunday in Hebrew (Israel),
/// Saturday in Persian (Iran), Monday elsewhere (Greece, Latvia, ISO 8601).
pub fn periods(today: i64, lang: &str) -> [(i64, i64); 3] {
    // 1970-01-01, day 0, was a Thursday: Monday-based, its weekday is 3.
    let monday_based = (today + 3).rem_euclid(7);
    let since_start = match lang {
        "he" => (monday_based + 1) % 7,
        "fa" => (monday_based + 2) % 7,
        _ => monday_based,
    };
    let (year, month, _) = crate::time::civil_from_days(today);
    let first_of_month = crate::time::days_from_civil(year, month, 1);
    [
        (today, today),
        (today - since_start, today),
        (first_of_month, today),
    ]
}

/// Fills in the days without payments, so the chart's x axis is time.
pub fn every_day(from: i64, to: i64, found: &[DayTotal]) -> Vec<DayTotal> {
    (from..=to)
        .map(|day| {
            found
                .iter()
                .find(|d| d.day == day)
                .copied()
                .unwrap_or(DayTotal {
                    day,
                    count: 0,
                    amount: 0,
                })
        })
        .collect()
}

/// The export's columns; `date_local` is on the store's clock (its time zone).
pub const CSV_HEADER: [&str; 14] = [
    "payment_code",
    "date_local",
    "payer",
    "mobile",
    "amount",
    "currency",
    "method",
    "status",
    "tracking_code",
    "bank_tracking_code",
    "description",
    "discount",
    "mode",
    "needs_attention",
];

/// The CSV's start, for spreadsheet programs: UTF-8 with a byte-order mark (without it Excel
/// reads Hebrew and Persian as Latin-1) and the header; rows follow ([`csv_row`]).
pub fn csv_head() -> String {
    format!("\u{feff}{}\r\n", CSV_HEADER.join(","))
}

/// Appends one row of the CSV to `out`: CRLF line ends, amounts as plain decimals.
pub fn csv_row(out: &mut String, row: &ReportRow, discount: i64, slip_label: &str) {
    let amount = |minor| amount_input_value(minor, row.currency, Unit::Standard);
    let cells = [
        row.id.to_string(),
        date_time(row.local_time),
        row.payer_name.clone(),
        row.mobile.clone(),
        amount(row.amount),
        row.currency.code().to_owned(),
        row.method.clone().unwrap_or_else(|| slip_label.to_owned()),
        row.status.as_str().to_owned(),
        tracking::display(&row.tracking_code),
        row.bank_ref.clone().unwrap_or_default(),
        row.description.clone().unwrap_or_default(),
        amount(discount),
        mode_name(row.live).to_owned(),
        if row.attention { "yes" } else { "" }.to_owned(),
    ];
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// `YYYY-MM-DD HH:MM` in UTC.
pub fn date_time(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// Quotes a cell when it needs it, and defuses what a spreadsheet would run as a formula
/// (a payer "name" starting with `=`, `@`…): such a cell gets a leading apostrophe. A mobile
/// number in E.164 (`+98…`) is data, not a formula, and keeps its `+`.
fn csv_cell(value: &str) -> String {
    let is_number = value
        .strip_prefix('+')
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()));
    let value = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_number => format!("'{value}"),
        _ => value.to_owned(),
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_where_the_store_s_language_is_spoken() {
        // 2026-12-02 is a Wednesday.
        let wednesday = crate::time::days_from_civil(2026, 12, 2);
        let day = |d| crate::time::days_from_civil(2026, 11, d);
        let [today, week, month] = periods(wednesday, "en");
        assert_eq!(today, (wednesday, wednesday));
        assert_eq!(week, (day(30), wednesday));
        assert_eq!(
            month,
            (crate::time::days_from_civil(2026, 12, 1), wednesday)
        );
        assert_eq!(periods(wednesday, "he")[1].0, day(29));
        assert_eq!(periods(wednesday, "fa")[1].0, day(28));
        // The week's first day is a week of one day.
        assert_eq!(periods(day(29), "he")[1], (day(29), day(29)));
        assert_eq!(periods(day(28), "fa")[1], (day(28), day(28)));
        assert_eq!(periods(day(30), "lv")[1], (day(30), day(30)));
        // The first of a month.
        let first = crate::time::days_from_civil(2027, 1, 1);
        assert_eq!(periods(first, "el")[2], (first, first));
    }

    fn params(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn a_view_survives_its_query_string() {
        let (query, errors) = ReportQuery::parse(&params(
            "status=paid&via=gateway:7&from=2026-01-01&to=2026-01-31&q=x&attention=1&mode=test&sort=amount&dir=asc&page=3",
        ));
        assert!(errors.is_empty());
        assert!(query.filter.attention);
        assert_eq!(query.filter.live, Some(false));
        assert_eq!(query.filter.status, Some(PaymentStatus::Paid));
        assert_eq!(query.filter.method, Some(MethodFilter::Gateway(7)));
        assert_eq!(query.filter.to.unwrap() - query.filter.from.unwrap(), 30);
        assert_eq!(
            (query.sort, query.descending, query.page),
            (SortKey::Amount, false, 3)
        );
        let again = ReportQuery::parse(&params(&query.to_query_string())).0;
        assert_eq!(again, query);
        assert_eq!(ReportQuery::default().to_query_string(), "");
    }

    #[test]
    fn bad_filters_are_named_and_left_out() {
        let long = "x".repeat(MAX_TEXT + 1);
        let (query, errors) = ReportQuery::parse(&params(&format!(
            "status=stolen&via=gateway:x&from=2026-02-30&q={long}&mode=demo&page=-4&sort=secret"
        )));
        assert_eq!(errors.get(Field::Mode), Some(Problem::Invalid));
        assert_eq!(query.filter, Filter::default());
        assert_eq!((query.page, query.sort), (1, SortKey::Date));
        assert_eq!(errors.get(Field::Status), Some(Problem::Invalid));
        assert_eq!(errors.get(Field::Method), Some(Problem::Invalid));
        assert_eq!(errors.get(Field::DateFrom), Some(Problem::Invalid));
        assert_eq!(errors.get(Field::Search), Some(Problem::TooLong));
        let (query, errors) = ReportQuery::parse(&params("from=2026-02-02&to=2026-02-01"));
        assert_eq!(errors.get(Field::DateTo), Some(Problem::BeforeStart));
        assert_eq!(query.filter.to, None);
    }

    #[test]
    fn sorting_twice_reverses() {
        let q = ReportQuery::default().with_page(4);
        let by_payer = q.sorted_by(SortKey::Payer);
        assert_eq!((by_payer.descending, by_payer.page), (false, 1));
        assert!(by_payer.sorted_by(SortKey::Payer).descending);
        assert!(!q.sorted_by(SortKey::Date).descending);
    }

    #[test]
    fn the_chart_covers_the_range_or_the_last_30_days() {
        let mut q = ReportQuery::default();
        assert_eq!(q.chart_days(100), (71, 100));
        q.filter.from = Some(10);
        q.filter.to = Some(20);
        assert_eq!(q.chart_days(100), (10, 20));
        q.filter.from = Some(0);
        q.filter.to = Some(1000);
        assert_eq!(q.chart_days(100), (1000 - MAX_CHART_DAYS + 1, 1000));
        let days = every_day(
            1,
            3,
            &[DayTotal {
                day: 2,
                count: 1,
                amount: 5,
            }],
        );
        assert_eq!(days.iter().map(|d| d.amount).collect::<Vec<_>>(), [0, 5, 0]);
    }

    #[test]
    fn search_text_is_read_as_every_code_it_could_be() {
        let s = TextSearch::new(" ۰۹۱۲ ");
        assert_eq!(s.digits.as_deref(), Some("0912"));
        assert_eq!(s.payment_id, Some(912));
        let s = TextSearch::new("abcd-efgh-jk01");
        assert_eq!(s.tracking_code.as_deref(), Some("ABCDEFGHJK01"));
        assert_eq!(s.digits, None);
        let s = TextSearch::new("123456789012");
        assert_eq!(
            (s.tracking_code, s.digits.as_deref()),
            (None, Some("123456789012"))
        );
        assert_eq!(TextSearch::new("Dana").digits, None);
        let s = TextSearch::new("#۱۲");
        assert_eq!((s.payment_id, s.digits), (Some(12), None));
    }

    #[test]
    fn csv_has_a_bom_quotes_and_no_formulas() {
        let row = ReportRow {
            id: 9,
            local_time: 0,
            payer_name: "=HYPERLINK(\"x\")".to_owned(),
            mobile: "+989121234567".to_owned(),
            amount: 123_450,
            currency: Currency::parse("EUR").unwrap(),
            method: None,
            status: PaymentStatus::Paid,
            tracking_code: "ABCDEFGHJK01".to_owned(),
            bank_ref: None,
            description: Some("שלום, עולם".to_owned()),
            attention: true,
            live: false,
        };
        let mut csv = csv_head();
        csv_row(&mut csv, &row, 50, "Bank slip");
        assert!(csv.starts_with("\u{feff}payment_code,"));
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "9,1970-01-01 00:00,\"'=HYPERLINK(\"\"x\"\")\",+989121234567,1234.50,EUR,Bank slip,paid,\
             ABCD-EFGH-JK01,,\"שלום, עולם\",0.50,test,yes"
        );
        assert!(csv.ends_with("\r\n"));
    }
}
