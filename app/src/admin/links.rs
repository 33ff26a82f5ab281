//! Payment links: the builder (plain or signed, a fixed or chosen amount, expiry, usage
//! limit), a link's address with its QR code, copy and share buttons, and the store's links
//! with their use counts. See `engine::links`.

use engine::links::PaymentLink;
use engine::money::{Currency, Unit};
use engine::validation::Field;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::fields::{CopyButton, Notice, amount_check, field_error, typed};
use super::{AdminView, Shell};
use crate::components::{TextField, money_text};
use crate::flash::Flash;
use crate::i18n::*;

pub const PATH: &str = "/admin/links";

/// A link and its address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListedLink {
    pub link: PaymentLink,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinksPage {
    pub admin: AdminView,
    pub currency: Currency,
    pub unit: Unit,
    pub links: Vec<ListedLink>,
    /// The link `?show=` names, with its QR code (SVG markup drawn by the server).
    pub shown: Option<(ListedLink, String)>,
    pub flash: Option<Flash>,
}

#[server(endpoint = "admin/links-page")]
pub async fn load_links(show: Option<String>) -> Result<LinksPage, ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let page_url = format!("{}{}", state.checkout.public_url(), admin.payment_path);
    let links: Vec<ListedLink> = engine::db::links::list(state.checkout.db(), store.id)
        .await
        .map_err(crate::api::internal)?
        .into_iter()
        .map(|link| ListedLink {
            url: engine::settings::links::url(&state.secrets, &page_url, store.id, &link),
            link,
        })
        .collect();
    let shown = show
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| links.iter().find(|l| l.link.id == id).cloned())
        .map(|l| {
            let qr = qr_svg(&l.url);
            (l, qr)
        });
    Ok(LinksPage {
        admin,
        currency: store.currency,
        unit: store.unit(),
        links,
        shown,
        flash: crate::flash::take().await,
    })
}

/// The address as a QR code, an SVG a phone camera reads from a screen or from paper.
#[cfg(feature = "ssr")]
fn qr_svg(url: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        // Only an address longer than a QR code holds (about 2.9 KB) fails.
        Err(e) => {
            tracing::warn!("no QR code for a {}-byte link: {e}", url.len());
            String::new()
        }
    }
}

/// Builds a link from the builder's form.
#[server(endpoint = "admin/link")]
pub async fn create_link(
    signed: Option<String>,
    payer_name: String,
    description: String,
    amount: String,
    min_amount: String,
    max_amount: String,
    expires: String,
    max_uses: String,
) -> Result<(), ServerFnError> {
    use engine::settings::SettingsError;
    use engine::settings::links::{LinkForm, create};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let db = state.checkout.db();
    let store = engine::db::stores::by_id(db, user.store_id)
        .await
        .map_err(crate::api::internal)?
        .ok_or_else(|| crate::api::internal("a session without its store"))?;
    let form = LinkForm {
        signed: signed.is_some(),
        payer_name,
        description,
        amount,
        min_amount,
        max_amount,
        expires,
        max_uses,
    };
    let today = engine::time::now_millis().div_euclid(engine::time::DAY_MILLIS);
    match create(db, &store, &form, today).await {
        Ok(link) => {
            crate::flash::put(&Flash::notice("link_created"));
            crate::session::redirect_to(&format!("{PATH}?show={}", link.id));
        }
        Err(SettingsError::Invalid(errors)) => {
            crate::flash::put(&Flash {
                values: vec![
                    ("signed".into(), if form.signed { "on" } else { "" }.into()),
                    ("payer_name".into(), form.payer_name),
                    ("description".into(), form.description),
                    ("amount".into(), form.amount),
                    ("min_amount".into(), form.min_amount),
                    ("max_amount".into(), form.max_amount),
                    ("expires".into(), form.expires),
                    ("max_uses".into(), form.max_uses),
                ],
                errors: errors.encode(),
                notice: None,
            });
            crate::session::redirect_to(PATH);
        }
        Err(SettingsError::Storage(e)) => return Err(crate::api::internal(e)),
    }
    Ok(())
}

#[component]
pub fn Links() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(super::page_key(), |key| load_links(key.query.get("show")));
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let notice = page.flash.as_ref().and_then(|f| f.notice.clone()).map(|_| {
                        view! { <Notice text=t_string!(i18n, link_created).to_string() /> }
                    });
                    let shown = page.shown.clone().map(|(link, qr)| view! {
                        <Shown link qr currency=page.currency unit=page.unit store=page.admin.store_name.clone() />
                    });
                    view! {
                        <Shell admin=page.admin.clone() title=t_string!(i18n, nav_links).to_string()>
                            {notice}
                            {shown}
                            <Builder flash=page.flash.clone() currency=page.currency unit=page.unit />
                            <LinkList page />
                        </Shell>
                    }
                })
            })}
        </Suspense>
    }
}

/// What a link asks for, in a line: its description and amount (or range).
fn summary(link: &PaymentLink, currency: Currency, unit: Unit) -> String {
    let money = |n: i64| money_text(n, currency, unit);
    let locale = use_i18n().get_locale_untracked();
    let amount = match (link.amount, link.min_amount, link.max_amount) {
        (Some(fixed), _, _) => money(fixed),
        (None, Some(min), Some(max)) => format!("{} – {}", money(min), money(max)),
        (None, Some(min), None) => {
            td_string!(locale, amount_at_least, min = money(min)).to_string()
        }
        (None, None, Some(max)) => td_string!(locale, amount_at_most, max = money(max)).to_string(),
        (None, None, None) => td_string!(locale, amount_customer_chooses).to_string(),
    };
    match &link.description {
        Some(d) => format!("{d} · {amount}"),
        None => amount,
    }
}

/// A link ready to send: address, QR code, copy and share buttons.
#[component]
fn Shown(
    link: ListedLink,
    qr: String,
    currency: Currency,
    unit: Unit,
    store: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = link.url.clone();
    let text = format!("{store}: {} {url}", summary(&link.link, currency, unit));
    let encoded = |s: &str| {
        serde_urlencoded::to_string([("", s)]).unwrap_or_default()[1..].replace('+', "%20")
    };
    let whatsapp = format!("https://wa.me/?text={}", encoded(&text));
    let sms = format!("sms:?&body={}", encoded(&text));
    let email = format!(
        "mailto:?subject={}&body={}",
        encoded(&store),
        encoded(&text)
    );
    view! {
        <section class="shown-link" aria-labelledby="shown-link-title" data-testid="shown-link">
            <h2 id="shown-link-title">{summary(&link.link, currency, unit)}</h2>
            <div class="copy-row">
                <label class="hint" for="link-url">{t!(i18n, link_address)}</label>
                <input id="link-url" class="mono" readonly value=url.clone() data-testid="link-url" />
                <CopyButton text=url.clone() label=t_string!(i18n, copy).to_string() done=t_string!(i18n, copied).to_string() />
            </div>
            <div class="qr" role="img" aria-label=t_string!(i18n, link_qr).to_string() inner_html=qr></div>
            <div class="actions share">
                <a class="button" href=whatsapp rel="external noopener" target="_blank">{t!(i18n, share_whatsapp)}</a>
                <a class="button" href=sms rel="external">{t!(i18n, share_sms)}</a>
                <a class="button" href=email rel="external">{t!(i18n, share_email)}</a>
            </div>
        </section>
    }
}

#[component]
fn Builder(flash: Option<Flash>, currency: Currency, unit: Unit) -> impl IntoView {
    let i18n = use_i18n();
    let check = amount_check(currency, unit);
    let create = ServerAction::<CreateLink>::new();
    let value = |name: &str| typed(&flash, name, "");
    let signed = flash
        .as_ref()
        .and_then(|f| f.value("signed"))
        .is_none_or(|v| !v.is_empty());
    let error = |field: Field| field_error(&flash, field);
    let [
        payer_name,
        description,
        amount,
        min_amount,
        max_amount,
        expires,
        max_uses,
    ] = [
        "payer_name",
        "description",
        "amount",
        "min_amount",
        "max_amount",
        "expires",
        "max_uses",
    ]
    .map(value);
    let [
        name_error,
        description_error,
        amount_error,
        min_error,
        max_error,
        expires_error,
        uses_error,
    ] = [
        Field::Name,
        Field::Description,
        Field::Amount,
        Field::MinAmount,
        Field::MaxAmount,
        Field::Expires,
        Field::MaxUses,
    ]
    .map(error);
    view! {
        <h2 id="link-builder">{t!(i18n, new_link)}</h2>
        <ActionForm action=create attr:class="stack" attr:novalidate=true>
            <label class="check">
                <input type="checkbox" name="signed" checked=signed />
                <span>{t!(i18n, link_signed)}</span>
            </label>
            <p class="hint">{t!(i18n, link_signed_hint)}</p>
            <TextField name="payer_name" label=t_string!(i18n, payer_name).to_string() value=payer_name error=name_error />
            <TextField name="description" label=t_string!(i18n, description).to_string() value=description error=description_error />
            <TextField name="amount" inputmode="decimal" label=t_string!(i18n, link_amount).to_string()
                hint=t_string!(i18n, link_amount_hint).to_string() value=amount error=amount_error check />
            <TextField name="min_amount" inputmode="decimal" label=t_string!(i18n, min_amount).to_string() value=min_amount error=min_error check />
            <TextField name="max_amount" inputmode="decimal" label=t_string!(i18n, max_amount).to_string() value=max_amount error=max_error check />
            <TextField name="expires" kind="date" label=t_string!(i18n, link_expires).to_string() value=expires error=expires_error />
            <TextField name="max_uses" inputmode="numeric" label=t_string!(i18n, link_max_uses).to_string()
                hint=t_string!(i18n, link_max_uses_hint).to_string() value=max_uses error=uses_error />
            <button type="submit" class="button primary">{t!(i18n, create_link)}</button>
        </ActionForm>
    }
}

#[component]
fn LinkList(page: LinksPage) -> impl IntoView {
    let i18n = use_i18n();
    if page.links.is_empty() {
        return view! { <p class="muted">{t!(i18n, no_links)}</p> }.into_any();
    }
    let lang = crate::components::lang();
    let number = move |n: i64| engine::digits::localize(&n.to_string(), lang);
    let items = page
        .links
        .iter()
        .map(|l| {
            let link = &l.link;
            let kind = if link.signed {
                t_string!(i18n, link_kind_signed)
            } else {
                t_string!(i18n, link_kind_plain)
            };
            let uses = match link.max_uses {
                Some(max) => td_string!(i18n.get_locale_untracked(), link_uses_of, uses = number(link.uses), max = number(max)).to_string(),
                None => td_string!(i18n.get_locale_untracked(), link_uses, uses = number(link.uses)).to_string(),
            };
            let paid = td_string!(i18n.get_locale_untracked(), link_paid, paid = number(link.paid)).to_string();
            let expires = link.expires_at.map(|at| {
                let day = crate::components::day_text(at / engine::time::DAY_MILLIS - 1, lang);
                td_string!(i18n.get_locale_untracked(), link_expires_on, date = day).to_string()
            });
            view! {
                <li class="item" data-testid="link-item">
                    <div>
                        <strong>{summary(link, page.currency, page.unit)}</strong>
                        {link.payer_name.clone().map(|n| view! { " · "{n} })}
                        <p class="muted">
                            {kind.to_string()}" · "{uses}" · "{paid}
                            {expires.map(|e| view! { " · "{e} })}
                        </p>
                    </div>
                    <div class="item-actions">
                        <a class="button" href=format!("{PATH}?show={}", link.id)>{t!(i18n, link_show)}</a>
                        <CopyButton text=l.url.clone() label=t_string!(i18n, copy).to_string() done=t_string!(i18n, copied).to_string() />
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{t!(i18n, your_links)}</h2>
        <ul class="items">{items}</ul>
    }
    .into_any()
}
