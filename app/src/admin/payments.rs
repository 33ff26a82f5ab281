//! The payments report: every payment of the store with filters, sorting and pages (each view
//! is a link: the filter lives in the query string), totals and paid amounts per day, a CSV
//! export of the view, and a payment's page with its timeline, where bank slips are confirmed
//! or rejected.

use engine::money::{Currency, Unit};
use engine::report::{Event, MethodFilter, ReportPage, ReportQuery, SortKey};
use engine::status::PaymentStatus;
use engine::validation::{Field, FieldErrors};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use serde::{Deserialize, Serialize};

use super::any_sync::IntoAnySync;
use super::chart::Chart;
use super::export::{ExportButton, ExportProgress};
use super::fields::{FormPost, Notice, SelectField, ServerForm, field_error, typed};
use super::{AdminView, Shell};
use crate::components::{TextField, money_text};
use crate::flash::Flash;
use crate::i18n::*;
use crate::pages::payment::status_text;

pub const PATH: &str = "/admin/payments";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentsPage {
    pub admin: AdminView,
    pub currency: Currency,
    pub unit: Unit,
    pub query: ReportQuery,
    /// Filters that did not parse (shown beside their fields, left out of the query).
    pub errors: String,
    /// What was typed in the filter form, as typed.
    pub typed: Vec<(String, String)>,
    pub report: ReportPage,
    /// The store's online methods for the method filter: `(id, display name)`.
    pub methods: Vec<(i64, String)>,
    /// The store's time zone: the report's days and times are its.
    pub time_zone: String,
}

#[server(endpoint = "admin/payments-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_payments(query: String) -> Result<PaymentsPage, ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let typed: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
    let (query, errors) = ReportQuery::parse(&typed);
    let db = state.checkout.db();
    let zone = &store.legal.time_zone;
    let today = engine::zones::day_of(zone, engine::time::now_millis());
    let report = engine::db::report::page(db, store.id, store.currency, zone, &query, today)
        .await
        .map_err(crate::api::internal)?;
    let methods = engine::db::methods::list_all(db, store.id)
        .await
        .map_err(crate::api::internal)?
        .into_iter()
        .map(|m| (m.id, m.display_name))
        .collect();
    Ok(PaymentsPage {
        admin,
        currency: store.currency,
        unit: Unit::for_store(store.currency, store.toman_display),
        query,
        errors: errors.encode(),
        typed,
        report,
        methods,
        time_zone: zone.clone(),
    })
}

#[component]
pub fn Payments() -> impl IntoView {
    let i18n = use_i18n();
    let page = super::page_data(|key| load_payments(key.search.trim_start_matches('?').to_owned()));
    let export = ExportProgress::default();
    // A transition: live news (`live`) reads the page again, and the page shown stays until
    // the new one is here, so the reader keeps their place (and an export its status).
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let title = text!(i18n, nav_payments).to_string();
                    view! {
                        <Shell admin=page.admin.clone() title>
                            <Filters page=page.clone() export />
                            <Summary page=page.clone() />
                            <p class="hint">{text!(i18n, times_in_zone, zone = page.time_zone.clone())}</p>
                            <Table page />
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}

/// In the browser, filtering moves the router to the filtered address (the form's own GET,
/// without its unnamed button): the report's data is fetched, not the page.
fn filter_in_place(ev: leptos::ev::SubmitEvent, navigate: &impl Fn(&str, NavigateOptions)) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(query) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
            .and_then(|form| super::fields::form_query(&form))
        else {
            return;
        };
        ev.prevent_default();
        // The path is whole: the router would otherwise put its base before it again.
        let options = NavigateOptions {
            resolve: false,
            ..NavigateOptions::default()
        };
        navigate(&format!("{PATH}?{query}"), options);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, navigate);
}

/// The filter form: a GET form, so a filtered view is a link to bookmark or share.
#[component]
fn Filters(page: PaymentsPage, export: ExportProgress) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = leptos_router::hooks::use_navigate();
    let filter_in_place = move |ev| filter_in_place(ev, &navigate);
    let errors = FieldErrors::decode(&page.errors);
    let error = move |field: Field| {
        errors
            .get(field)
            .map(|p| crate::components::problem_text(p, |n| n.to_string()))
    };
    let typed = page.typed.clone();
    let value = move |name: &str| {
        typed
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let chosen_status = value("status");
    let statuses = PaymentStatus::ALL
        .into_iter()
        .map(|s| {
            let code = s.as_str();
            view! { <option value=code selected=chosen_status == code>{status_text(s)}</option> }
        })
        .collect_view();
    let chosen_via = value("via");
    let methods = page
        .methods
        .iter()
        .map(|(id, name)| {
            let v = MethodFilter::Gateway(*id).encode();
            let selected = chosen_via == v;
            view! { <option value=v selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    let slip = MethodFilter::BankSlip.encode();
    let slip_selected = chosen_via == slip;
    let chosen_mode = value("mode");
    let modes = [
        (true, text!(i18n, mode_live)),
        (false, text!(i18n, mode_test)),
    ]
    .into_iter()
    .map(|(live, label)| {
        let code = engine::report::mode_name(live);
        view! { <option value=code selected=chosen_mode == code>{label}</option> }
    })
    .collect_view();
    let attention = page.query.filter.attention;
    view! {
        <form method="get" action=PATH on:submit=filter_in_place class="filters" role="search" aria-label=text!(i18n, filter_payments).to_string()>
            <TextField name="q" kind="search" label=text!(i18n, search_payments).to_string()
                hint=text!(i18n, search_payments_hint).to_string() value=value("q") error=error(Field::Search) />
            <SelectField name="status" label=text!(i18n, status).to_string() error=error(Field::Status)>
                <option value="">{text!(i18n, any)}</option>
                {statuses}
            </SelectField>
            <SelectField name="via" label=text!(i18n, payment_method).to_string() error=error(Field::Method)>
                <option value="">{text!(i18n, any)}</option>
                {methods}
                <option value=slip selected=slip_selected>{text!(i18n, bank_slip)}</option>
            </SelectField>
            <SelectField name="mode" label=text!(i18n, mode).to_string() error=error(Field::Mode)>
                <option value="">{text!(i18n, any)}</option>
                {modes}
            </SelectField>
            <label class="check">
                <input type="checkbox" name="attention" value="1" checked=attention />
                {text!(i18n, needs_attention)}
            </label>
            <TextField name="from" kind="date" label=text!(i18n, date_from).to_string() value=value("from") error=error(Field::DateFrom) />
            <TextField name="to" kind="date" label=text!(i18n, date_to).to_string() value=value("to") error=error(Field::DateTo) />
            <div class="actions">
                <button type="submit" class="button primary">{text!(i18n, filter)}</button>
                <a class="button" href=PATH>{text!(i18n, clear_filters)}</a>
                <ExportButton query=page.query.to_query_string() count=page.report.totals.count progress=export />
            </div>
        </form>
    }
}

/// Totals of everything the filter matches, and the paid amounts per day as an SVG bar chart.
#[component]
fn Summary(page: PaymentsPage) -> impl IntoView {
    let i18n = use_i18n();
    let totals = &page.report.totals;
    let paid = if totals.paid.is_empty() {
        money_text(0, page.currency, page.unit)
    } else {
        totals
            .paid
            .iter()
            .map(|(currency, sum)| {
                let unit = if *currency == page.currency {
                    page.unit
                } else {
                    Unit::Standard
                };
                money_text(*sum, *currency, unit)
            })
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let count = |n: i64| engine::digits::localize(&n.to_string(), crate::components::lang());
    view! {
        <dl class="totals" data-testid="totals">
            <div><dt>{text!(i18n, total_payments)}</dt><dd>{count(totals.count)}</dd></div>
            <div><dt>{text!(i18n, total_paid)}</dt><dd>{count(totals.paid_count)}</dd></div>
            <div><dt>{text!(i18n, total_paid_amount)}</dt><dd>{paid}</dd></div>
            <div><dt>{text!(i18n, total_awaiting)}</dt><dd>{count(totals.awaiting_count)}</dd></div>
        </dl>
        <Chart days=page.report.days currency=page.currency unit=page.unit />
    }
}

#[component]
fn Table(page: PaymentsPage) -> impl IntoView {
    let i18n = use_i18n();
    let query = page.query.clone();
    let link = move |q: ReportQuery| match q.to_query_string() {
        s if s.is_empty() => PATH.to_owned(),
        s => format!("{PATH}?{s}"),
    };
    let header = {
        let query = query.clone();
        move |key: SortKey, label: String| {
            let sorted = (query.sort == key).then_some(if query.descending {
                "descending"
            } else {
                "ascending"
            });
            let href = link(query.sorted_by(key));
            view! { <th scope="col" aria-sort=sorted><a href=href>{label}</a></th> }
        }
    };
    if page.report.rows.is_empty() {
        return view! { <p class="muted" data-testid="no-payments">{text!(i18n, no_payments)}</p> }
            .into_any_sync();
    }
    let lang = crate::components::lang();
    // The columns' names, also on each cell: a phone shows a row as a card of named lines.
    let [
        code,
        date,
        payer,
        mobile,
        amount,
        method,
        status,
        tracking,
        bank_ref,
    ] = [
        text!(i18n, payment_code),
        text!(i18n, date),
        text!(i18n, payer_name),
        text!(i18n, mobile),
        text!(i18n, amount),
        text!(i18n, payment_method),
        text!(i18n, status),
        text!(i18n, tracking_code),
        text!(i18n, bank_ref),
    ]
    .map(|label| label.to_string());
    let rows = page
        .report
        .rows
        .iter()
        .map(|r| {
            let unit = if r.currency == page.currency { page.unit } else { Unit::Standard };
            let paid_with = r
                .method
                .clone()
                .unwrap_or_else(|| text!(i18n, bank_slip).to_string());
            let href = format!("{PATH}/{}", r.id);
            view! {
                <tr>
                    <td data-label=code.clone()><a href=href class="mono" on:pointerenter={|_| super::preload::<super::PaymentRoute>()} on:focus={|_| super::preload::<super::PaymentRoute>()}>{format!("#{}", r.id)}</a></td>
                    <td data-label=date.clone() class="nowrap">{crate::components::date_time_text(r.local_time, lang)}</td>
                    <td data-label=payer.clone()>{r.payer_name.clone()}</td>
                    <td data-label=mobile.clone()><bdi class="mono">{r.mobile.clone()}</bdi></td>
                    <td data-label=amount.clone() class="nowrap num">{money_text(r.amount, r.currency, unit)}</td>
                    <td data-label=method.clone()>{paid_with}</td>
                    <td data-label=status.clone()>
                        <span class=format!("status status-{}", r.status.as_str())>{status_text(r.status)}</span>
                        {(!r.live).then(|| view! { " "<span class="tag">{text!(i18n, mode_test)}</span> })}
                        {r.attention.then(|| view! { " "<span class="tag warn" data-testid="needs-attention">{text!(i18n, needs_attention)}</span> })}
                    </td>
                    <td data-label=tracking.clone() class="mono nowrap">{engine::tracking::display(&r.tracking_code)}</td>
                    <td data-label=bank_ref.clone() class="mono">{r.bank_ref.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let (current, pages) = (page.report.page, page.report.pages);
    let page_of = text!(
        i18n.get_locale_untracked(),
        page_of,
        page = engine::digits::localize(&current.to_string(), lang),
        pages = engine::digits::localize(&pages.to_string(), lang)
    )
    .to_string();
    let previous = (current > 1).then(|| link(query.with_page(current - 1)));
    let next = (current < pages).then(|| link(query.with_page(current + 1)));
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=text!(i18n, nav_payments).to_string()>
            <table class="report" data-testid="payments">
                <thead>
                    <tr>
                        <th scope="col">{code}</th>
                        {header(SortKey::Date, date)}
                        {header(SortKey::Payer, payer)}
                        <th scope="col">{mobile}</th>
                        {header(SortKey::Amount, amount)}
                        <th scope="col">{method}</th>
                        {header(SortKey::Status, status)}
                        <th scope="col">{tracking}</th>
                        <th scope="col">{bank_ref}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label=text!(i18n, pages).to_string()>
            {previous.map(|href| view! { <a class="button" href=href rel="prev">{text!(i18n, previous_page)}</a> })}
            <span>{page_of}</span>
            {next.map(|href| view! { <a class="button" href=href rel="next">{text!(i18n, next_page)}</a> })}
        </nav>
    }
    .into_any_sync()
}

/// One payment as its merchant sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentDetail {
    pub id: i64,
    pub tracking_code: String,
    /// When it was made, on the store's clock (`ReportRow::local_time`).
    pub local_time: i64,
    pub payer_name: String,
    pub mobile: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub description: Option<String>,
    pub amount: i64,
    pub discount: i64,
    pub currency: Currency,
    pub status: PaymentStatus,
    /// The online method's name, or the bank account a slip names.
    pub method: Option<String>,
    pub bank_account: Option<String>,
    pub is_slip: bool,
    pub provider_ref: Option<String>,
    pub bank_ref: Option<String>,
    pub card_pan: Option<String>,
    pub slip_number: Option<String>,
    pub slip_date: Option<String>,
    pub failure_code: Option<String>,
    pub attention: bool,
    pub live: bool,
    /// Messages dropped over its budgets (`engine::intake`).
    pub dropped_messages: i64,
    /// Its receipt, once paid: the number and its page.
    pub receipt: Option<(i64, String)>,
    /// The documents cancelling that receipt (money sent back): number, page, amount.
    pub cancellations: Vec<(i64, String, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentDetailPage {
    pub admin: AdminView,
    pub unit: Unit,
    /// `None`: no such payment in this store.
    pub payment: Option<PaymentDetail>,
    pub events: Vec<Event>,
    /// The e-mails about it.
    pub mails: Vec<super::mails::MailRow>,
    /// The store's time zone, which the page's times are in.
    pub time_zone: String,
    pub flash: Option<Flash>,
}

#[server(endpoint = "admin/payment-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_payment(id: String) -> Result<PaymentDetailPage, ServerFnError> {
    use engine::db::{bank_accounts, methods, payments};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let db = state.checkout.db();
    let internal = crate::api::internal;
    let found = match id.parse::<i64>() {
        Ok(id) => payments::by_id(db, store.id, id).await.map_err(internal)?,
        Err(_) => None,
    };
    let zone = store.legal.time_zone.clone();
    let local = |t: i64| t + engine::zones::offset_at(&zone, t);
    let (mut events, mut mails) = (Vec::new(), Vec::new());
    let payment = match found {
        None => None,
        Some(p) => {
            events = payments::events(db, store.id, p.id)
                .await
                .map_err(internal)?;
            for e in &mut events {
                e.created_at = local(e.created_at);
            }
            mails = super::mails::of_payment(db, store.id, p.id)
                .await
                .map_err(internal)?;
            for m in &mut mails {
                m.at = local(m.at);
            }
            let method = match p.method_id {
                Some(id) => methods::get(db, store.id, id)
                    .await
                    .map_err(internal)?
                    .map(|m| m.display_name),
                None => None,
            };
            let bank_account = match p.bank_account_id {
                Some(id) => bank_accounts::list_all(db, store.id)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .find(|a| a.account.id == id)
                    .map(|a| {
                        format!(
                            "{} · {} · {}",
                            a.account.bank_name, a.account.holder, a.account.account_number
                        )
                    }),
                None => None,
            };
            let issued = engine::db::receipts::of_payment(db, store.id, p.id)
                .await
                .map_err(internal)?;
            let cancellations = match &issued {
                Some(r) => engine::db::cancellations::of_receipt(db, r)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .map(|c| (c.number, crate::pages::receipt::path(&c.token), c.amount))
                    .collect(),
                None => Vec::new(),
            };
            let receipt = issued.map(|r| (r.number, crate::pages::receipt::path(&r.token)));
            Some(PaymentDetail {
                receipt,
                cancellations,
                id: p.id,
                tracking_code: p.tracking_code,
                local_time: local(p.created_at),
                payer_name: p.payer_name,
                mobile: p.mobile,
                phone: p.phone,
                email: p.email,
                description: p.description,
                amount: p.amount,
                discount: p.discount,
                currency: p.currency,
                status: p.status,
                method,
                bank_account,
                is_slip: p.kind == payments::Kind::BankSlip,
                provider_ref: p.provider_ref,
                bank_ref: p.bank_ref,
                card_pan: p.card_pan,
                slip_number: p.slip_number,
                slip_date: p.slip_date,
                failure_code: p.failure_code,
                attention: p.attention,
                live: p.live,
                dropped_messages: p.dropped_messages,
            })
        }
    };
    Ok(PaymentDetailPage {
        admin,
        unit: Unit::for_store(store.currency, store.toman_display),
        payment,
        events,
        mails,
        time_zone: zone.clone(),
        flash: crate::flash::take().await,
    })
}

/// Confirms (`decision=confirm`) or rejects (`decision=reject`, with a reason) a bank slip.
#[server(endpoint = "admin/slip", output = crate::admin::Postcard)]
pub async fn decide_slip(
    id: String,
    decision: String,
    reason: String,
) -> Result<(), ServerFnError> {
    use engine::slips::{self, Decision, SlipError};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let decision = match decision.as_str() {
        "confirm" => Decision::Confirm,
        _ => Decision::Reject,
    };
    let target = format!("{PATH}/{}", id.trim());
    let result = match id.trim().parse::<i64>() {
        Ok(id) => {
            slips::decide(
                state.checkout.db(),
                user.store_id,
                id,
                decision,
                &user.email,
                &reason,
            )
            .await
        }
        Err(_) => Err(SlipError::UnknownPayment),
    };
    let flash = match result {
        Ok(PaymentStatus::Paid) => Flash::notice("slip_confirmed"),
        Ok(_) => Flash::notice("slip_rejected"),
        Err(SlipError::Invalid(errors)) => Flash {
            values: vec![("reason".into(), reason)],
            errors: errors.encode(),
            notice: None,
        },
        Err(SlipError::AlreadyDecided(_)) => Flash::notice("slip_already_decided"),
        Err(SlipError::UnknownPayment | SlipError::NotASlip) => Flash::notice("missing"),
        Err(SlipError::Storage(e)) => return Err(crate::api::internal(e)),
    };
    crate::flash::put(&flash);
    crate::session::redirect_to(&target);
    Ok(())
}

#[component]
pub fn PaymentPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = super::page_data(|key| load_payment(key.params.get("id").unwrap_or_default()));
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let Some(payment) = page.payment.clone() else {
                        let title = text!(i18n, payment_missing).to_string();
                        return view! {
                            <Shell admin=page.admin.clone() title>
                                <p><a href=PATH>{text!(i18n, back_to_payments)}</a></p>
                            </Shell>
                        }.into_any_sync();
                    };
                    let title = text!(i18n.get_locale_untracked(), payment_title, code = format!("#{}", payment.id)).to_string();
                    let notice = page.flash.as_ref().and_then(|f| f.notice.clone()).map(|n| match n.as_str() {
                        "slip_confirmed" => view! { <Notice text=text!(i18n, slip_confirmed).to_string() /> }.into_any_sync(),
                        "slip_rejected" => view! { <Notice text=text!(i18n, slip_rejected).to_string() /> }.into_any_sync(),
                        "slip_already_decided" => view! { <Notice text=text!(i18n, slip_already_decided).to_string() error=true /> }.into_any_sync(),
                        "mail_resent" => view! { <Notice text=text!(i18n, mail_resent).to_string() /> }.into_any_sync(),
                        "mail_missing" => view! { <Notice text=text!(i18n, mail_missing).to_string() error=true /> }.into_any_sync(),
                        _ => view! { <Notice text=text!(i18n, payment_missing).to_string() error=true /> }.into_any_sync(),
                    });
                    let deciding = payment.is_slip && payment.status == PaymentStatus::AwaitingConfirmation;
                    view! {
                        <Shell admin=page.admin.clone() title>
                            {notice}
                            <p><a href=PATH>{text!(i18n, back_to_payments)}</a></p>
                            <p class="hint">{text!(i18n, times_in_zone, zone = page.time_zone.clone())}</p>
                            {payment.attention.then(|| view! { <Notice text=text!(i18n, attention_explained).to_string() error=true /> })}
                            <Details payment=payment.clone() unit=page.unit />
                            {deciding.then(|| view! { <SlipDecision id=payment.id flash=page.flash.clone() /> })}
                            <Timeline events=page.events.clone() dropped=payment.dropped_messages />
                            <super::mails::Mails mails=page.mails.clone() payment=payment.id />
                        </Shell>
                    }.into_any_sync()
                })
            })}
        </Transition>
    }
}

#[component]
fn Details(payment: PaymentDetail, unit: Unit) -> impl IntoView {
    use crate::components::Row;
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let lang = crate::components::lang();
    let money = |n: i64| money_text(n, payment.currency, unit);
    let rows = [
        Some((
            text!(locale, status).to_string(),
            status_text(payment.status),
            false,
        )),
        Some((
            text!(locale, mode).to_string(),
            if payment.live {
                text!(locale, mode_live).to_string()
            } else {
                text!(locale, mode_test).to_string()
            },
            false,
        )),
        Some((
            text!(locale, date).to_string(),
            crate::components::date_time_text(payment.local_time, lang),
            false,
        )),
        Some((
            text!(locale, amount).to_string(),
            money(payment.amount),
            false,
        )),
        (payment.discount > 0).then(|| {
            (
                text!(locale, discount_given).to_string(),
                money(payment.discount),
                false,
            )
        }),
        Some((
            text!(locale, payer_name).to_string(),
            payment.payer_name.clone(),
            false,
        )),
        Some((
            text!(locale, mobile).to_string(),
            payment.mobile.clone(),
            true,
        )),
        payment
            .phone
            .clone()
            .map(|v| (text!(locale, phone).to_string(), v, true)),
        payment
            .email
            .clone()
            .map(|v| (text!(locale, email).to_string(), v, false)),
        payment
            .description
            .clone()
            .map(|v| (text!(locale, description).to_string(), v, false)),
        Some((
            text!(locale, payment_method).to_string(),
            if payment.is_slip {
                text!(locale, bank_slip).to_string()
            } else {
                payment.method.clone().unwrap_or_default()
            },
            false,
        )),
        payment
            .bank_account
            .clone()
            .map(|v| (text!(locale, bank_account).to_string(), v, false)),
        Some((
            text!(locale, tracking_code).to_string(),
            engine::tracking::display(&payment.tracking_code),
            true,
        )),
        payment
            .provider_ref
            .clone()
            .map(|v| (text!(locale, provider_ref).to_string(), v, true)),
        payment
            .bank_ref
            .clone()
            .map(|v| (text!(locale, bank_ref).to_string(), v, true)),
        payment
            .card_pan
            .clone()
            .map(|v| (text!(locale, card).to_string(), v, true)),
        payment
            .slip_number
            .clone()
            .map(|v| (text!(locale, slip_number).to_string(), v, true)),
        payment
            .slip_date
            .clone()
            .map(|v| (text!(locale, slip_date).to_string(), v, false)),
        payment
            .failure_code
            .clone()
            .map(|v| (text!(locale, failure_code).to_string(), v, true)),
    ];
    let receipt = payment
        .receipt
        .map(|(number, href)| view! { <crate::pages::receipt::ReceiptRow number href /> });
    let cancellations = payment
        .cancellations
        .into_iter()
        .map(|(number, href, amount)| {
            let returned = money(amount);
            view! { <crate::pages::receipt::CancellationRow number href returned /> }
        })
        .collect_view();
    view! {
        <dl class="summary" data-testid="payment-detail">
            {rows.into_iter().flatten().map(|(label, value, mono)| view! { <Row label value mono /> }).collect_view()}
            {receipt}
            {cancellations}
        </dl>
    }
}

/// Confirm (the money is on the statement) or reject (with the reason the payer will be told).
#[component]
fn SlipDecision(id: i64, flash: Option<Flash>) -> impl IntoView {
    let i18n = use_i18n();
    let decide = FormPost::<DecideSlip>::new();
    let reason = typed(&flash, "reason", "");
    let reason_error = field_error(&flash, Field::Reason);
    view! {
        <h2>{text!(i18n, slip_decision)}</h2>
        <p class="hint">{text!(i18n, slip_decision_hint)}</p>
        <ServerForm action=decide attr:class="stack" attr:novalidate=true>
            <input type="hidden" name="id" value=id.to_string() />
            <TextField name="reason" label=text!(i18n, slip_reason).to_string()
                hint=text!(i18n, slip_reason_hint).to_string() value=reason error=reason_error />
            <div class="actions">
                <button type="submit" class="button primary" name="decision" value="confirm">{text!(i18n, slip_confirm)}</button>
                <button type="submit" class="button danger" name="decision" value="reject"
                    data-confirm=text!(i18n, slip_reject_confirm).to_string()>{text!(i18n, slip_reject)}</button>
            </div>
        </ServerForm>
    }
}

#[component]
fn Timeline(events: Vec<Event>, dropped: i64) -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::components::lang();
    let status = |s: &Option<String>| s.as_deref().and_then(PaymentStatus::parse).map(status_text);
    let items = events
        .iter()
        .map(|e| {
            let change = match (status(&e.from_status), status(&e.to_status)) {
                (Some(from), Some(to)) => format!("{from} → {to}"),
                (None, Some(to)) => to,
                _ => String::new(),
            };
            view! {
                <li class="event" class:ignored=e.kind.starts_with("ignored:") data-kind=e.kind.clone()>
                    <p>
                        <time>{crate::components::date_time_text(e.created_at, lang)}</time>
                        " · "<span class="muted">{e.source.clone()}</span>
                        " · "<strong class="mono">{e.kind.clone()}</strong>
                        {(!change.is_empty()).then(|| view! { " · "{change.clone()} })}
                    </p>
                    {e.detail.clone().map(|d| view! { <pre class="raw" tabindex="0">{d}</pre> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{text!(i18n, timeline)}</h2>
        <ol class="timeline" data-testid="timeline">{items}</ol>
        {(dropped > 0).then(|| {
            let count = engine::digits::localize(&dropped.to_string(), lang);
            view! { <p class="muted" data-testid="dropped-messages">{text!(i18n.get_locale_untracked(), messages_dropped, count).to_string()}</p> }
        })}
    }
}
