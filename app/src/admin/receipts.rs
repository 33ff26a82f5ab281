//! The store's receipts, newest first, fifty a page: each one's number, issue time in the
//! store's time zone, payer and amount, with its page, its PDF and its payment.

use engine::money::{Currency, Unit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::any_sync::IntoAnySync;
use super::{AdminView, Shell};
use crate::components::{date_time_text, lang, money_text};
use crate::i18n::*;
use crate::pages::receipt::path as receipt_path;

pub const PATH: &str = "/admin/receipts";

/// A receipt in the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub number: i64,
    /// When it was issued, in the store's time zone (milliseconds, offset applied).
    pub issued_local: i64,
    pub token: String,
    pub payment_id: i64,
    pub payer_name: String,
    /// Paid, or sent back by a cancelling document.
    pub amount: i64,
    pub currency: Currency,
    /// On a cancelling document: the number of the receipt it cancels.
    pub cancels: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptsPage {
    pub admin: AdminView,
    pub unit: Unit,
    pub time_zone: String,
    pub receipts: Vec<ReceiptLine>,
    /// The next page's `before`, when there are older receipts.
    pub older: Option<i64>,
}

#[server(endpoint = "admin/receipts-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_receipts(before: Option<i64>) -> Result<ReceiptsPage, ServerFnError> {
    use engine::db::receipts;
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let internal = crate::api::internal;
    let listed = receipts::page_of_store(state.checkout.db(), store.id, before)
        .await
        .map_err(internal)?;
    let zone = &store.legal.time_zone;
    let receipts = listed
        .into_iter()
        .map(|r| {
            Ok(ReceiptLine {
                number: r.number,
                issued_local: r.issued_at + engine::zones::offset_at(zone, r.issued_at),
                token: r.token,
                payment_id: r.payment_id,
                payer_name: r.payer_name,
                amount: r.amount,
                currency: Currency::parse(&r.currency)
                    .ok_or_else(|| crate::api::internal("a payment in an unknown currency"))?,
                cancels: r.cancels,
            })
        })
        .collect::<Result<Vec<_>, ServerFnError>>()?;
    let older = receipts
        .last()
        .filter(|last| receipts.len() as i64 == receipts::PAGE && last.number > 1)
        .map(|last| last.number);
    Ok(ReceiptsPage {
        admin,
        unit: store.unit(),
        time_zone: zone.clone(),
        receipts,
        older,
    })
}

#[component]
pub fn Receipts() -> impl IntoView {
    let i18n = use_i18n();
    let page =
        super::page_data(|key| load_receipts(key.query.get("before").and_then(|b| b.parse().ok())));
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let title = text!(i18n, nav_receipts).to_string();
                    view! {
                        <Shell admin=page.admin.clone() title>
                            <ReceiptsTable page />
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}

#[component]
fn ReceiptsTable(page: ReceiptsPage) -> impl IntoView {
    let i18n = use_i18n();
    if page.receipts.is_empty() {
        return view! { <p class="hint">{text!(i18n, receipts_empty)}</p> }.into_any_sync();
    }
    let lang = lang();
    let unit = page.unit;
    // The columns' names, also on each cell: a phone shows a row as a card of named lines.
    let [number, issued, payer, paid, receipt] = [
        text!(i18n, receipt_number),
        text!(i18n, receipt_issued),
        text!(i18n, payer),
        text!(i18n, receipt_paid),
        text!(i18n, receipt),
    ]
    .map(|label| label.to_string());
    let rows = page
        .receipts
        .into_iter()
        .map(|r| {
            let page_href = receipt_path(&r.token);
            let pdf_href = format!("{page_href}/pdf?lang={lang}");
            view! {
                <tr data-testid="receipt-row">
                    <td data-label=number.clone()>{engine::digits::localize(&r.number.to_string(), lang)}</td>
                    <td data-label=issued.clone() class="nowrap">{date_time_text(r.issued_local, lang)}</td>
                    <td data-label=payer.clone()><bdi>{r.payer_name}</bdi></td>
                    <td data-label=paid.clone() class="nowrap">
                        {match r.cancels {
                            Some(number) => {
                                let number = engine::digits::localize(&number.to_string(), lang);
                                let amount = money_text(-r.amount, r.currency, unit);
                                view! {
                                    <bdi>{amount}</bdi>
                                    <span class="badge" data-testid="cancels">{text!(i18n.get_locale_untracked(), cancellation_short, number).to_string()}</span>
                                }.into_any_sync()
                            }
                            None => money_text(r.amount, r.currency, unit).into_any_sync(),
                        }}
                    </td>
                    <td data-label=receipt.clone() class="nowrap">
                        <a href=page_href rel="external">{text!(i18n, receipt_open)}</a>
                        " · "
                        <a href=pdf_href rel="external">{text!(i18n, receipt_pdf_short)}</a>
                        " · "
                        <a href=format!("{}/{}", super::payments::PATH, r.payment_id)>{text!(i18n, receipt_payment)}</a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let older = page.older.map(|before| format!("{PATH}?before={before}"));
    view! {
        <p class="hint">{text!(i18n, receipts_hint, zone = page.time_zone.clone())}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label=text!(i18n, nav_receipts).to_string()>
            <table class="report" data-testid="receipts">
                <thead>
                    <tr>
                        <th scope="col">{number}</th>
                        <th scope="col">{issued}</th>
                        <th scope="col">{payer}</th>
                        <th scope="col">{paid}</th>
                        <th scope="col">{receipt}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {older.map(|href| view! {
            <nav class="pager" aria-label=text!(i18n, pages).to_string()>
                <a class="button" href=href rel="next">{text!(i18n, receipts_older)}</a>
            </nav>
        })}
    }
    .into_any_sync()
}
