//! A receipt's public page, `/r/{token}`: whoever holds the unguessable token (printed on the
//! receipt, with a QR code, and sent to the payer) can check that the receipt is genuine and
//! read what it says. The page is the receipt itself, as the store recorded it.

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
            <dt>{text!(locale, receipt).to_string()}</dt>
            <dd><a href=href data-testid="receipt-link">{text!(locale, receipt_link, number).to_string()}</a></dd>
        </div>
    }
}

/// A summary's row that leads to a document cancelling the receipt, with what it sent back.
#[component]
pub fn CancellationRow(number: i64, href: String, returned: String) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let number = engine::digits::localize(&number.to_string(), lang());
    view! {
        <div class="row">
            <dt>{text!(locale, receipt_cancelled_by).to_string()}</dt>
            <dd>
                <a href=href data-testid="cancellation-link">{text!(locale, document_number, number).to_string()}</a>
                " · "<bdi>{returned}</bdi>
            </dd>
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
    /// On a cancelling document: what it cancels (`number` and `issued_at` are its own).
    pub cancels: Option<Cancels>,
    /// On a receipt: the documents cancelling it, in all or in part.
    pub cancelled_by: Vec<CancelledBy>,
}

/// What a cancelling document cancels and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cancels {
    pub receipt_number: i64,
    pub receipt_token: String,
    /// What went back to the payer.
    pub amount: i64,
    /// Returned by a chargeback (the payer's bank), rather than the merchant's refund.
    pub chargeback: bool,
    pub reference: String,
}

/// A document cancelling a receipt, as the receipt names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CancelledBy {
    pub number: i64,
    pub token: String,
    pub amount: i64,
}

/// A document a public token names: a receipt, or one cancelling a receipt.
#[cfg(feature = "ssr")]
pub(crate) enum Document {
    Receipt(engine::db::receipts::Receipt),
    Cancellation(engine::db::cancellations::Cancellation),
}

#[cfg(feature = "ssr")]
impl Document {
    pub(crate) fn token(&self) -> &str {
        match self {
            Document::Receipt(r) => &r.token,
            Document::Cancellation(c) => &c.token,
        }
    }

    pub(crate) fn store_id(&self) -> i64 {
        match self {
            Document::Receipt(r) => r.store_id,
            Document::Cancellation(c) => c.store_id,
        }
    }

    /// Counts a PDF made of it: `true` for the first (the original).
    pub(crate) async fn pdf_made(&self, db: &engine::db::Db) -> Result<bool, engine::db::DbError> {
        use engine::db::{cancellations, receipts};
        match self {
            Document::Receipt(r) => receipts::pdf_made(db, r).await,
            Document::Cancellation(c) => cancellations::pdf_made(db, c).await,
        }
    }
}

#[server]
pub async fn load_receipt(token: String) -> Result<Option<ReceiptView>, ServerFnError> {
    let state = crate::state::app_state()?;
    Ok(receipt_view(&state.checkout, &token)
        .await?
        .map(|(view, _)| view))
}

/// The document `token` names (a receipt, or one cancelling a receipt), as its page and its
/// PDF show it, with its record.
#[cfg(feature = "ssr")]
pub(crate) async fn receipt_view(
    checkout: &engine::checkout::Checkout,
    token: &str,
) -> Result<Option<(ReceiptView, Document)>, ServerFnError> {
    use engine::db::{cancellations, methods, payments, receipts, stores};
    use engine::zones;
    let db = checkout.db();
    let internal = crate::api::internal;
    let token = token.trim();
    let (receipt, cancellation) = match receipts::by_token(db, token).await.map_err(internal)? {
        Some(receipt) => (receipt, None),
        None => {
            let Some(cancellation) = cancellations::by_token(db, token).await.map_err(internal)?
            else {
                return Ok(None);
            };
            let receipt = receipts::of_payment(db, cancellation.store_id, cancellation.payment_id)
                .await
                .map_err(internal)?
                .ok_or_else(|| crate::api::internal("a cancellation without its receipt"))?;
            (receipt, Some(cancellation))
        }
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
    let cancelled_by = match &cancellation {
        Some(_) => Vec::new(),
        None => cancellations::of_receipt(db, &receipt)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|c| CancelledBy {
                number: c.number,
                token: c.token,
                amount: c.amount,
            })
            .collect(),
    };
    let cancels = cancellation.as_ref().map(|c| Cancels {
        receipt_number: receipt.number,
        receipt_token: receipt.token.clone(),
        amount: c.amount,
        chargeback: !c.reason.ends_with("refunded"),
        reference: c.reference.clone(),
    });
    let (number, issued_at) = match &cancellation {
        Some(c) => (c.number, c.issued_at),
        None => (receipt.number, receipt.issued_at),
    };
    let view = ReceiptView {
        number,
        issued_at,
        offset: zones::offset_at(&store.legal.time_zone, issued_at),
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
        method: method.filter(|_| payment.kind == engine::db::payments::Kind::Online),
        bank_ref: payment.bank_ref,
        card_pan: payment.card_pan,
        slip_number: payment.slip_number,
        tracking_code: payment.tracking_code,
        // The payer's language, else (payments made before it was kept) the store's.
        language: Some(payment.language)
            .filter(|l| !l.is_empty())
            .unwrap_or(store.default_lang),
        cancels,
        cancelled_by,
    };
    let document = match cancellation {
        Some(c) => Document::Cancellation(c),
        None => Document::Receipt(receipt),
    };
    Ok(Some((view, document)))
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let receipt = load_receipt(token.clone());
    // Rendered once, on the server: see `openpay::OpenPay`.
    view! {
        <Suspense>
            {Suspend::new(async move {
                match receipt.await {
                    Ok(Some(r)) => Either::Left(view! { <Receipt receipt=r token /> }),
                    Ok(None) | Err(_) => Either::Right({
                        super::not_found_status();
                        view! {
                            <Title text=text!(i18n, receipt_not_found).to_string() />
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
    let localized = |n: i64| engine::digits::localize(&n.to_string(), lang);
    let no = |n: i64| text!(locale, document_number, number = localized(n)).to_string();
    let money = |minor: i64| money_text_in(locale, minor, receipt.currency, receipt.unit);
    let issued = format!(
        "{} ({})",
        date_time_text(receipt.issued_at + receipt.offset, lang),
        receipt.time_zone
    );
    let method = receipt
        .method
        .clone()
        .unwrap_or_else(|| text!(locale, receipt_bank_slip).to_string());
    let row = |label: &str, value: String, ltr: bool| (label.to_owned(), value, ltr);
    let cancels = receipt.cancels.as_ref();
    // A cancelling document names the payment; the receipt's discount lines stay on it.
    let discounted = receipt.discount > 0 && cancels.is_none();
    let rows = [
        Some(row(text!(locale, receipt_issued), issued, false)),
        cancels.map(|c| row(text!(locale, cancellation_of), no(c.receipt_number), false)),
        cancels.map(|c| {
            let reason = if c.chargeback {
                text!(locale, cancellation_chargeback)
            } else {
                text!(locale, cancellation_refund)
            };
            row(text!(locale, cancellation_reason), reason.to_owned(), false)
        }),
        Some(row(text!(locale, payer), receipt.payer_name.clone(), false)),
        receipt
            .description
            .clone()
            .map(|d| row(text!(locale, description), d, false)),
        discounted.then(|| {
            let price = money(receipt.amount + receipt.discount);
            row(text!(locale, receipt_price), price, true)
        }),
        discounted.then(|| row(text!(locale, discount_given), money(receipt.discount), true)),
        cancels.map(|_| row(text!(locale, receipt_paid), money(receipt.amount), true)),
        Some(row(text!(locale, receipt_method), method, false)),
        receipt.bank_ref.as_ref().map(|r| {
            row(
                text!(locale, bank_ref),
                engine::digits::localize(r, lang),
                true,
            )
        }),
        receipt
            .card_pan
            .clone()
            .map(|c| row(text!(locale, card), c, true)),
        receipt
            .slip_number
            .clone()
            .map(|s| row(text!(locale, slip_number), s, true)),
        cancels.map(|c| {
            row(
                text!(locale, cancellation_reference),
                c.reference.clone(),
                true,
            )
        }),
        Some(row(
            text!(locale, tracking_code),
            engine::tracking::display(&receipt.tracking_code),
            true,
        )),
    ];
    let cancelled_by = receipt.cancelled_by.iter().map(|c| {
        let value = format!("{} · {}", no(c.number), money(c.amount));
        row(text!(locale, receipt_cancelled_by), value, false)
    });
    let issuer = [
        receipt.legal_name.clone(),
        receipt
            .registration_number
            .clone()
            .map(|n| text!(locale, receipt_registration, number = n).to_string()),
        receipt.address.clone(),
    ];
    let number = localized(receipt.number);
    let (title, paid) = match cancels {
        Some(c) => (
            text!(locale, cancellation_title, number = number).to_string(),
            (
                text!(locale, cancellation_returned).to_owned(),
                money(c.amount),
            ),
        ),
        None => (
            text!(locale, receipt_title, number = number).to_string(),
            (
                text!(locale, receipt_paid).to_owned(),
                money(receipt.amount),
            ),
        ),
    };
    Lines {
        title,
        issuer: issuer.into_iter().flatten().collect(),
        rows: rows.into_iter().flatten().chain(cancelled_by).collect(),
        paid,
    }
}

/// What the document says of itself: that it is genuine, and what it is not.
pub fn genuine_and_disclaimer(receipt: &ReceiptView, locale: Locale) -> (String, String) {
    let store = receipt.store_name.clone();
    match receipt.cancels {
        Some(_) => (
            text!(locale, cancellation_genuine, store = store).to_string(),
            text!(locale, cancellation_disclaimer).to_string(),
        ),
        None => (
            text!(locale, receipt_genuine, store = store).to_string(),
            text!(locale, receipt_disclaimer).to_string(),
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
    let (genuine, disclaimer) = genuine_and_disclaimer(&receipt, locale);
    let lang = locale.as_str();
    // The documents on either side of a cancellation lead to each other.
    let related: Vec<(String, String)> = match &receipt.cancels {
        Some(c) => vec![(
            path(&c.receipt_token),
            text!(locale, cancellation_open_receipt).to_string(),
        )],
        None => receipt
            .cancelled_by
            .iter()
            .map(|c| {
                let number = engine::digits::localize(&c.number.to_string(), lang);
                (
                    path(&c.token),
                    text!(locale, cancellation_title, number = number).to_string(),
                )
            })
            .collect(),
    };

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
            <p class="genuine" role="status">{genuine}</p>
            <dl class="summary">
                {rows.into_iter().map(|(label, value, mono)| view! { <Row label value mono /> }).collect_view()}
            </dl>
            {related.into_iter().map(|(href, text)| view! { <p><a href=href data-testid="related-document">{text}</a></p> }).collect_view()}
            <p><a class="button secondary" href=pdf rel="external" data-testid="receipt-pdf">{t!(i18n, receipt_pdf)}</a></p>
            <p class="muted">{disclaimer}</p>
        </article>
    }
}
