//! A receipt's public page, `/r/{token}`: whoever holds the unguessable token (printed on the
//! receipt, with a QR code, and sent to the payer) can check that the receipt is genuine and
//! read what it says. The page is the receipt itself, as the store recorded it.

use engine::db::payments::Kind;
use engine::money::{Currency, Unit};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::components::{Row, date_time_text, lang, money_text_in};
use crate::i18n::*;

/// The public path of the receipt with `token`.
pub fn path(token: &str) -> String {
    format!("/r/{token}")
}

/// A summary's row that leads to a payment's receipt.
#[component]
pub fn ReceiptRow(number: i64, href: String) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let number = engine::digits::localize(&number.to_string(), lang());
    view! {
        <div class="row">
            <dt>{td_string!(locale, receipt).to_string()}</dt>
            <dd><a href=href data-testid="receipt-link">{td_string!(locale, receipt_link, number).to_string()}</a></dd>
        </div>
    }
}

/// Everything a receipt says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub number: i64,
    pub issued_at: i64,
    /// The store's offset from UTC when it was issued (its time zone), in milliseconds.
    pub offset: i64,
    pub time_zone: String,
    pub store_name: String,
    pub logo: Option<String>,
    pub legal_name: Option<String>,
    pub registration_number: Option<String>,
    pub address: Option<String>,
    pub payer_name: String,
    pub description: Option<String>,
    /// What was paid, after the method's discount.
    pub amount: i64,
    pub discount: i64,
    pub currency: Currency,
    pub unit: Unit,
    /// The method's name; `None` for a bank slip.
    pub method: Option<String>,
    pub bank_ref: Option<String>,
    pub card_pan: Option<String>,
    pub slip_number: Option<String>,
    pub tracking_code: String,
    /// The payer's language, else the store's: the PDF's when none is asked for.
    pub language: String,
}

#[server]
pub async fn load_receipt(token: String) -> Result<Option<ReceiptView>, ServerFnError> {
    let state = crate::state::app_state()?;
    Ok(receipt_view(&state.checkout, &token)
        .await?
        .map(|(view, _)| view))
}

/// The receipt `token` names, as its page and its PDF show it, with its record.
#[cfg(feature = "ssr")]
pub(crate) async fn receipt_view(
    checkout: &engine::checkout::Checkout,
    token: &str,
) -> Result<Option<(ReceiptView, engine::db::receipts::Receipt)>, ServerFnError> {
    use engine::db::{methods, payments, receipts, stores};
    use engine::zones;
    let db = checkout.db();
    let internal = crate::api::internal;
    let Some(receipt) = receipts::by_token(db, token.trim())
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let (payment, store) = match (
        payments::by_id(db, receipt.store_id, receipt.payment_id)
            .await
            .map_err(internal)?,
        stores::by_id(db, receipt.store_id)
            .await
            .map_err(internal)?,
    ) {
        (Some(payment), Some(store)) => (payment, store),
        _ => {
            return Err(crate::api::internal(
                "a receipt without its payment or store",
            ));
        }
    };
    let method = match payment.method_id {
        Some(id) => methods::get(db, store.id, id)
            .await
            .map_err(internal)?
            .map(|m| m.display_name),
        None => None,
    };
    let logo = crate::api::store_logo(db, store.id).await?;
    let view = ReceiptView {
        number: receipt.number,
        issued_at: receipt.issued_at,
        offset: zones::offset_at(&store.legal.time_zone, receipt.issued_at),
        time_zone: store.legal.time_zone.clone(),
        unit: store.unit(),
        store_name: store.name,
        logo,
        legal_name: store.legal.legal_name,
        registration_number: store.legal.registration_number,
        address: store.legal.address,
        payer_name: payment.payer_name,
        description: payment.description,
        amount: payment.amount,
        discount: payment.discount,
        currency: payment.currency,
        method: method.filter(|_| payment.kind == Kind::Online),
        bank_ref: payment.bank_ref,
        card_pan: payment.card_pan,
        slip_number: payment.slip_number,
        tracking_code: payment.tracking_code,
        // The payer's language, else (payments made before it was kept) the store's.
        language: Some(payment.language)
            .filter(|l| !l.is_empty())
            .unwrap_or(store.default_lang),
    };
    Ok(Some((view, receipt)))
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let receipt = Resource::new(
        move || params.read().get("token").unwrap_or_default(),
        load_receipt,
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match receipt.await {
                    Ok(Some(r)) => Either::Left(view! { <Receipt receipt=r token=params.read_untracked().get("token").unwrap_or_default() /> }),
                    Ok(None) | Err(_) => Either::Right({
                        super::not_found_status();
                        view! {
                            <Title text=t_string!(i18n, receipt_not_found).to_string() />
                            <section class="card">
                                <h1>{t!(i18n, receipt_not_found)}</h1>
                                <p>{t!(i18n, receipt_not_found_body)}</p>
                            </section>
                        }
                    }),
                }
            })}
        </Suspense>
    }
}

/// What a receipt says, in `locale`: its title, the issuer's lines and its labelled rows
/// (`true`: a code or number that reads left to right), for its page and its PDF alike.
pub struct Lines {
    pub title: String,
    pub issuer: Vec<String>,
    pub rows: Vec<(String, String, bool)>,
    /// The amount paid (label, value), the receipt's last line.
    pub paid: (String, String),
}

pub fn lines(receipt: &ReceiptView, locale: Locale) -> Lines {
    let lang = locale.as_str();
    let number = engine::digits::localize(&receipt.number.to_string(), lang);
    let money = |minor: i64| money_text_in(locale, minor, receipt.currency, receipt.unit);
    let issued = format!(
        "{} ({})",
        date_time_text(receipt.issued_at + receipt.offset, lang),
        receipt.time_zone
    );
    let method = receipt
        .method
        .clone()
        .unwrap_or_else(|| td_string!(locale, receipt_bank_slip).to_string());
    let row = |label: &str, value: String, ltr: bool| (label.to_owned(), value, ltr);
    let discounted = receipt.discount > 0;
    let rows = [
        Some(row(td_string!(locale, receipt_issued), issued, false)),
        Some(row(
            td_string!(locale, payer),
            receipt.payer_name.clone(),
            false,
        )),
        receipt
            .description
            .clone()
            .map(|d| row(td_string!(locale, description), d, false)),
        discounted.then(|| {
            let price = money(receipt.amount + receipt.discount);
            row(td_string!(locale, receipt_price), price, true)
        }),
        discounted.then(|| {
            row(
                td_string!(locale, discount_given),
                money(receipt.discount),
                true,
            )
        }),
        Some(row(td_string!(locale, receipt_method), method, false)),
        receipt.bank_ref.as_ref().map(|r| {
            row(
                td_string!(locale, bank_ref),
                engine::digits::localize(r, lang),
                true,
            )
        }),
        receipt
            .card_pan
            .clone()
            .map(|c| row(td_string!(locale, card), c, true)),
        receipt
            .slip_number
            .clone()
            .map(|s| row(td_string!(locale, slip_number), s, true)),
        Some(row(
            td_string!(locale, tracking_code),
            engine::tracking::display(&receipt.tracking_code),
            true,
        )),
    ];
    let issuer = [
        receipt.legal_name.clone(),
        receipt
            .registration_number
            .clone()
            .map(|n| td_string!(locale, receipt_registration, number = n).to_string()),
        receipt.address.clone(),
    ];
    Lines {
        title: td_string!(locale, receipt_title, number = number).to_string(),
        issuer: issuer.into_iter().flatten().collect(),
        rows: rows.into_iter().flatten().collect(),
        paid: (
            td_string!(locale, receipt_paid).to_owned(),
            money(receipt.amount),
        ),
    }
}

#[component]
fn Receipt(receipt: ReceiptView, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let Lines {
        title,
        issuer,
        mut rows,
        paid: (paid, amount),
    } = lines(&receipt, locale);
    rows.push((paid, amount, true));
    let pdf = format!("{}/pdf?lang={}", path(&token), locale.as_str());
    view! {
        <Title text=title.clone() />
        <article class="card receipt" data-testid="receipt">
            <header class="receipt-head">
                {receipt.logo.clone().map(|src| view! { <img class="logo" src=src alt="" /> })}
                <div>
                    <p class="store">{receipt.store_name.clone()}</p>
                    {issuer.into_iter().map(|line| view! { <p class="muted">{line}</p> }).collect_view()}
                </div>
            </header>
            <h1>{title}</h1>
            <p class="genuine" role="status">{td_string!(locale, receipt_genuine, store = receipt.store_name.clone()).to_string()}</p>
            <dl class="summary">
                {rows.into_iter().map(|(label, value, mono)| view! { <Row label value mono /> }).collect_view()}
            </dl>
            <p><a class="button secondary" href=pdf rel="external" data-testid="receipt-pdf">{t!(i18n, receipt_pdf)}</a></p>
            <p class="muted">{t!(i18n, receipt_disclaimer)}</p>
        </article>
    }
}
