//! The back office's first page: what came in today, this week and this month (per currency),
//! the latest payments, what waits for the merchant (bank slips to decide, payments flagged for
//! attention), and for a store not fully set up, a checklist that ticks itself off.

use engine::money::{Currency, Unit};
use engine::report::{Filter, ReportQuery, ReportRow};
use engine::status::PaymentStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::any_sync::IntoAnySync;
use super::{AdminView, Shell, bank_accounts, links, methods, payments};
use crate::components::{date_time_text, lang, money_text};
use crate::i18n::*;
use crate::pages::payment::status_text;

/// How many of the newest payments the page lists.
#[cfg(feature = "ssr")]
const LATEST: i64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Today,
    Week,
    Month,
}

/// What was paid in one period (payments made in it and paid), per currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Takings {
    pub period: Period,
    /// The store's days, both included.
    pub from: i64,
    pub to: i64,
    pub count: i64,
    pub paid: Vec<(Currency, i64)>,
}

/// A step of setting a store up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Method,
    BankAccount,
    Logo,
    Link,
    TestPayment,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverviewPage {
    pub admin: AdminView,
    pub currency: Currency,
    pub unit: Unit,
    pub takings: Vec<Takings>,
    pub latest: Vec<ReportRow>,
    /// Bank slips waiting for the merchant's decision.
    pub awaiting: i64,
    /// Payments flagged for the merchant (money taken that Kassa refused or did not expect).
    pub attention: i64,
    /// Each setup step and whether it is done; empty once every one is.
    pub setup: Vec<(Step, bool)>,
    pub methods: usize,
    pub accounts: usize,
}

#[server(endpoint = "admin/overview-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_overview() -> Result<OverviewPage, ServerFnError> {
    use engine::db::{bank_accounts, images, links, methods, report};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let db = state.checkout.db();
    let internal = crate::api::internal;
    let zone = &store.legal.time_zone;
    let today = engine::zones::day_of(zone, engine::time::now_millis());
    let summary = |filter: Filter| async move {
        report::summary(db, store.id, zone, &filter)
            .await
            .map_err(internal)
    };
    let periods = [Period::Today, Period::Week, Period::Month];
    let mut takings = Vec::with_capacity(periods.len());
    for (period, (from, to)) in periods
        .into_iter()
        .zip(engine::report::periods(today, &store.default_lang))
    {
        let totals = summary(paid_between(from, to)).await?;
        takings.push(Takings {
            period,
            from,
            to,
            count: totals.paid_count,
            paid: totals.paid,
        });
    }
    let everything = summary(Filter::default()).await?;
    let attention = summary(Filter {
        attention: true,
        ..Filter::default()
    })
    .await?
    .count;
    let tested = summary(Filter {
        status: Some(PaymentStatus::Paid),
        live: Some(false),
        ..Filter::default()
    })
    .await?
    .paid_count;
    let methods = methods::list_enabled(db, store.id)
        .await
        .map_err(internal)?
        .len();
    let accounts = bank_accounts::list_active(db, store.id)
        .await
        .map_err(internal)?
        .len();
    let logo = images::versions(db, store.id)
        .await
        .map_err(internal)?
        .iter()
        .any(|(name, _)| *name == engine::images::ImageName::Store);
    let link = !links::list(db, store.id)
        .await
        .map_err(internal)?
        .is_empty();
    let setup = [
        (Step::Method, methods > 0),
        (Step::BankAccount, accounts > 0),
        (Step::Logo, logo),
        (Step::Link, link),
        (Step::TestPayment, tested > 0),
    ];
    Ok(OverviewPage {
        admin,
        currency: store.currency,
        unit: store.unit(),
        takings,
        latest: report::latest(db, store.id, zone, LATEST)
            .await
            .map_err(internal)?,
        awaiting: everything.awaiting_count,
        attention,
        setup: if setup.iter().all(|(_, done)| *done) {
            Vec::new()
        } else {
            setup.to_vec()
        },
        methods,
        accounts,
    })
}

/// Paid payments made between two of the store's days.
fn paid_between(from: i64, to: i64) -> Filter {
    Filter {
        status: Some(PaymentStatus::Paid),
        from: Some(from),
        to: Some(to),
        ..Filter::default()
    }
}

/// The payments report showing `filter`.
fn report_link(filter: Filter) -> String {
    let query = ReportQuery {
        filter,
        ..ReportQuery::default()
    }
    .to_query_string();
    format!("{}?{query}", payments::PATH)
}

#[component]
pub fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    let page = super::page_data(|_| load_overview());
    // A transition: live news (`live`) reads the page again, and the page shown stays until
    // the new one is here, so the reader keeps their place.
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let title = text!(i18n, nav_overview).to_string();
                    let status = if page.admin.maintenance {
                        view! { <p class="form-error" role="status">{text!(i18n, overview_paused)}</p> }.into_any_sync()
                    } else {
                        view! { <p class="saved">{text!(i18n, overview_open)}</p> }.into_any_sync()
                    };
                    let path = page.admin.payment_path.clone();
                    view! {
                        <Shell admin=page.admin.clone() title>
                            {status}
                            <Waiting awaiting=page.awaiting attention=page.attention />
                            <Setup steps=page.setup.clone() payment_path=path.clone() />
                            <TakingsTiles takings=page.takings.clone() currency=page.currency unit=page.unit />
                            <Latest rows=page.latest.clone() currency=page.currency unit=page.unit />
                            <dl class="summary">
                                <div class="row">
                                    <dt>{text!(i18n, overview_payment_page)}</dt>
                                    <dd><a class="mono" href=path.clone() rel="external">{path.clone()}</a></dd>
                                </div>
                                <div class="row">
                                    <dt>{text!(i18n, overview_methods)}</dt>
                                    <dd>{page.methods}</dd>
                                </div>
                                <div class="row">
                                    <dt>{text!(i18n, overview_accounts)}</dt>
                                    <dd>{page.accounts}</dd>
                                </div>
                            </dl>
                            <p class="hint">{text!(i18n, overview_payment_page_hint)}</p>
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}

/// What waits for the merchant, each a link to the payments it means; nothing when nothing
/// waits.
#[component]
fn Waiting(awaiting: i64, attention: i64) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let count = |n: i64| engine::digits::localize(&n.to_string(), locale.as_str());
    let slips = (awaiting > 0).then(|| {
        let href = report_link(Filter {
            status: Some(PaymentStatus::AwaitingConfirmation),
            ..Filter::default()
        });
        let text = text!(locale, overview_awaiting, count = count(awaiting)).to_string();
        view! { <li><a href=href data-testid="slips-waiting">{text}</a></li> }
    });
    let flagged = (attention > 0).then(|| {
        let href = report_link(Filter {
            attention: true,
            ..Filter::default()
        });
        let text = text!(locale, overview_attention, count = count(attention)).to_string();
        view! { <li><a href=href data-testid="needs-attention">{text}</a></li> }
    });
    (awaiting > 0 || attention > 0)
        .then(|| view! { <ul class="waiting" role="status">{slips}{flagged}</ul> })
}

/// The setup checklist, each step a link to where it is done.
#[component]
fn Setup(steps: Vec<(Step, bool)>, payment_path: String) -> impl IntoView {
    let i18n = use_i18n();
    if steps.is_empty() {
        return None;
    }
    let items = steps
        .into_iter()
        .map(|(step, done)| {
            let (text, href) = match step {
                Step::Method => (text!(i18n, setup_method), methods::PATH.to_owned()),
                Step::BankAccount => (
                    text!(i18n, setup_account),
                    bank_accounts::PATH.to_owned(),
                ),
                Step::Logo => (text!(i18n, setup_logo), "/admin/settings".to_owned()),
                Step::Link => (text!(i18n, setup_link), links::PATH.to_owned()),
                Step::TestPayment => (text!(i18n, setup_test_payment), payment_path.clone()),
            };
            let state = if done {
                text!(i18n, setup_done)
            } else {
                text!(i18n, setup_to_do)
            };
            view! {
                <li class:done=done data-testid="setup-step" data-done=done.to_string()>
                    <span class="check" role="img" aria-label=state.to_string()>{if done { "✓" } else { "○" }}</span>
                    " "<a href=href>{text.to_string()}</a>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="setup" aria-labelledby="setup-title">
            <h2 id="setup-title">{text!(i18n, setup_title)}</h2>
            <ol class="checklist">{items}</ol>
        </section>
    })
}

/// Today's, this week's and this month's takings, each a link to those payments.
#[component]
fn TakingsTiles(takings: Vec<Takings>, currency: Currency, unit: Unit) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let tiles = takings
        .into_iter()
        .map(|t| {
            let name = match t.period {
                Period::Today => text!(i18n, period_today),
                Period::Week => text!(i18n, period_week),
                Period::Month => text!(i18n, period_month),
            };
            let amounts = if t.paid.is_empty() {
                money_text(0, currency, unit)
            } else {
                t.paid
                    .iter()
                    .map(|(c, amount)| {
                        let unit = if *c == currency { unit } else { Unit::Standard };
                        money_text(*amount, *c, unit)
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            let count = text!(
                locale,
                overview_paid_count,
                count = engine::digits::localize(&t.count.to_string(), locale.as_str())
            )
            .to_string();
            view! {
                <li>
                    <a class="tile" href=report_link(paid_between(t.from, t.to)) data-testid="takings">
                        <span class="muted">{name.to_string()}</span>
                        <strong class="num">{amounts}</strong>
                        <span class="muted">{count}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{text!(i18n, overview_takings)}</h2>
        <ul class="tiles">{tiles}</ul>
    }
}

/// The newest payments, or what to do to get the first.
#[component]
fn Latest(rows: Vec<ReportRow>, currency: Currency, unit: Unit) -> impl IntoView {
    let i18n = use_i18n();
    let lang = lang();
    let list = if rows.is_empty() {
        view! {
            <p class="muted" data-testid="no-payments-yet">
                {text!(i18n, overview_empty)}" "<a href=links::PATH>{text!(i18n, setup_link)}</a>
            </p>
        }
        .into_any_sync()
    } else {
        let items = rows
            .into_iter()
            .map(|r| {
                let unit = if r.currency == currency { unit } else { Unit::Standard };
                view! {
                    <li data-testid="latest-payment">
                        <a href=format!("{}/{}", payments::PATH, r.id) on:pointerenter={|_| super::preload::<super::PaymentRoute>()} on:focus={|_| super::preload::<super::PaymentRoute>()}>{r.payer_name.clone()}</a>
                        <span class="num">{money_text(r.amount, r.currency, unit)}</span>
                        <span class=format!("status status-{}", r.status.as_str())>{status_text(r.status)}</span>
                        <span class="muted nowrap">{date_time_text(r.local_time, lang)}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="latest">{items}</ul>
            <p><a href=payments::PATH>{text!(i18n, overview_all_payments)}</a></p>
        }
        .into_any_sync()
    };
    view! {
        <h2>{text!(i18n, overview_latest)}</h2>
        {list}
    }
}
