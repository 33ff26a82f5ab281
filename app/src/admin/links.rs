//! Payment links: the builder (plain or signed, a fixed or chosen amount, expiry, usage
//! limit), a link's address with its QR code, copy and share buttons, and the store's links
//! with their use counts. See `engine::links`.

use engine::links::{LinkForm, PaymentLink};
use engine::money::{Currency, Unit};
use engine::validation::Field;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::any_sync::IntoAnySync;
use super::fields::{CopyButton, FormPost, Notice, ServerForm, amount_check, field_error};
use super::{AdminView, Shell};
use crate::components::{Row, TextField, money_text, range_text};
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
    /// The builder's fields as loaded (a refused form's values, else empty) with the token
    /// of the link it makes, and the address that link will have.
    pub draft: LinkForm,
    pub preview: Option<LinkPreview>,
}

/// The builder's fields as a form posts them (`signed` is there only when ticked).
fn form_of(pairs: impl IntoIterator<Item = (String, String)>) -> LinkForm {
    let mut form = LinkForm::default();
    for (name, value) in pairs {
        match name.as_str() {
            "signed" => form.signed = !value.is_empty(),
            "payer_name" => form.payer_name = value,
            "description" => form.description = value,
            "amount" => form.amount = value,
            "min_amount" => form.min_amount = value,
            "max_amount" => form.max_amount = value,
            "expires" => form.expires = value,
            "max_uses" => form.max_uses = value,
            "token" => form.token = value,
            _ => {}
        }
    }
    form
}

/// The address the builder's link will have, with its QR code (SVG markup drawn by the
/// server, which alone can sign it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkPreview {
    pub url: String,
    pub qr: String,
}

/// The address and QR code of the link `draft` makes, as the merchant types (`None` while a
/// field is refused).
#[server(endpoint = "admin/link-preview", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn preview_link(draft: LinkForm) -> Result<Option<LinkPreview>, ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let store = engine::db::stores::by_id(state.checkout.db(), user.store_id)
        .await
        .map_err(crate::api::internal)?
        .ok_or_else(|| crate::api::internal("a session without its store"))?;
    Ok(previewed(&state, &store, &draft))
}

#[cfg(feature = "ssr")]
fn previewed(
    state: &crate::state::AppState,
    store: &engine::db::stores::Store,
    draft: &LinkForm,
) -> Option<LinkPreview> {
    let page_url = format!(
        "{}{}",
        state.checkout.public_url(),
        super::payment_path(state, store)
    );
    let today = engine::time::now_millis().div_euclid(engine::time::DAY_MILLIS);
    let url = engine::settings::links::preview(&state.secrets, &page_url, store, draft, today)?;
    Some(LinkPreview {
        qr: qr_svg(&url),
        url,
    })
}

#[server(endpoint = "admin/links-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
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
    let flash = crate::flash::take().await;
    // A refused form comes back as typed, with its token and so the address it previewed; a
    // new one is signed.
    let draft = match flash.as_ref().filter(|f| !f.values.is_empty()) {
        Some(refused) => form_of(refused.values.clone()),
        None => LinkForm {
            signed: true,
            token: engine::tracking::random_token(),
            ..LinkForm::default()
        },
    };
    let preview = previewed(&state, &store, &draft);
    Ok(LinksPage {
        admin,
        currency: store.currency,
        unit: store.unit(),
        links,
        shown,
        flash,
        draft,
        preview,
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
#[server(endpoint = "admin/link", output = crate::admin::Postcard)]
pub async fn create_link(
    signed: Option<String>,
    payer_name: String,
    description: String,
    amount: String,
    min_amount: String,
    max_amount: String,
    expires: String,
    max_uses: String,
    #[server(default)] token: String,
) -> Result<(), ServerFnError> {
    use engine::settings::SettingsError;
    use engine::settings::links::create;
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
        token,
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
                    ("token".into(), form.token),
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
    let page = super::page_data(|key| load_links(key.query.get("show")));
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let notice = page.flash.as_ref().and_then(|f| f.notice.clone()).map(|_| {
                        view! { <Notice text=text!(i18n, link_created).to_string() /> }
                    });
                    let shown = page.shown.clone().map(|(link, qr)| view! {
                        <Shown link qr currency=page.currency unit=page.unit store=page.admin.store_name.clone() />
                    });
                    view! {
                        <Shell admin=page.admin.clone() title=text!(i18n, nav_links).to_string()>
                            {notice}
                            {shown}
                            <Builder flash=page.flash.clone() draft=page.draft.clone() preview=page.preview.clone()
                                currency=page.currency unit=page.unit store=page.admin.store_name.clone() />
                            <LinkList page />
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}

/// What a link asks for, in a line: its description and amount (or range).
fn summary(link: &PaymentLink, currency: Currency, unit: Unit) -> String {
    let amount = asks(
        link.amount,
        link.min_amount,
        link.max_amount,
        currency,
        unit,
    );
    match &link.description {
        Some(d) => format!("{d} · {amount}"),
        None => amount,
    }
}

/// The amount a link asks for: fixed, within a range, or whatever the customer chooses.
fn asks(
    fixed: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    currency: Currency,
    unit: Unit,
) -> String {
    match fixed {
        Some(fixed) => money_text(fixed, currency, unit),
        None => range_text(min, max, currency, unit).unwrap_or_else(|| {
            let locale = use_i18n().get_locale_untracked();
            text!(locale, amount_customer_chooses).to_string()
        }),
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
                <label class="hint" for="link-url">{text!(i18n, link_address)}</label>
                <input id="link-url" class="mono" readonly value=url.clone() data-testid="link-url" />
                <CopyButton text=url.clone() label=text!(i18n, copy).to_string() done=text!(i18n, copied).to_string() />
            </div>
            <div class="qr" role="img" aria-label=text!(i18n, link_qr).to_string() inner_html=qr></div>
            <div class="actions share">
                <a class="button" href=whatsapp rel="external noopener" target="_blank">{text!(i18n, share_whatsapp)}</a>
                <a class="button" href=sms rel="external">{text!(i18n, share_sms)}</a>
                <a class="button" href=email rel="external">{text!(i18n, share_email)}</a>
            </div>
        </section>
    }
}

/// The builder: the form, and beside it the link it makes (address and QR code, from the
/// server, which signs) and what the customer will see (drawn in the browser as typed).
#[component]
fn Builder(
    flash: Option<Flash>,
    draft: LinkForm,
    preview: Option<LinkPreview>,
    currency: Currency,
    unit: Unit,
    store: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let check = amount_check(currency, unit);
    let create = FormPost::<CreateLink>::new();
    let error = |field: Field| field_error(&flash, field);
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
    let LinkForm {
        signed,
        payer_name,
        description,
        amount,
        min_amount,
        max_amount,
        expires,
        max_uses,
        token,
    } = draft.clone();
    let draft = RwSignal::new(draft);
    let preview = RwSignal::new(preview);
    follow_preview(draft, preview);
    view! {
        <h2 id="link-builder">{text!(i18n, new_link)}</h2>
        <div class="builder">
            <div on:input=move |ev| retyped(ev, draft)>
                <ServerForm action=create attr:class="stack" attr:novalidate=true>
                    <input type="hidden" name="token" value=token />
                    <label class="check">
                        <input type="checkbox" name="signed" checked=signed />
                        <span>{text!(i18n, link_signed)}</span>
                    </label>
                    <p class="hint">{text!(i18n, link_signed_hint)}</p>
                    <TextField name="payer_name" label=text!(i18n, payer_name).to_string() value=payer_name error=name_error />
                    <TextField name="description" label=text!(i18n, description).to_string() value=description error=description_error />
                    <TextField name="amount" inputmode="decimal" label=text!(i18n, link_amount).to_string()
                        hint=text!(i18n, link_amount_hint).to_string() value=amount error=amount_error check />
                    <TextField name="min_amount" inputmode="decimal" label=text!(i18n, min_amount).to_string() value=min_amount error=min_error check />
                    <TextField name="max_amount" inputmode="decimal" label=text!(i18n, max_amount).to_string() value=max_amount error=max_error check />
                    <TextField name="expires" kind="date" label=text!(i18n, link_expires).to_string() value=expires error=expires_error />
                    <TextField name="max_uses" inputmode="numeric" label=text!(i18n, link_max_uses).to_string()
                        hint=text!(i18n, link_max_uses_hint).to_string() value=max_uses error=uses_error />
                    <button type="submit" class="button primary">{text!(i18n, create_link)}</button>
                </ServerForm>
            </div>
            <aside class="link-preview" aria-labelledby="link-preview-title" data-testid="link-preview">
                <h3 id="link-preview-title">{text!(i18n, link_preview)}</h3>
                {move || match preview.get() {
                    Some(p) => view! {
                        <input class="mono" readonly value=p.url aria-label=text!(i18n, link_address).to_string() data-testid="preview-url" />
                        <div class="qr" role="img" aria-label=text!(i18n, link_qr).to_string() inner_html=p.qr data-testid="preview-qr"></div>
                    }.into_any_sync(),
                    None => view! { <p class="muted" data-testid="preview-url">{text!(i18n, link_preview_waits)}</p> }.into_any_sync(),
                }}
                <CustomerView draft currency unit store />
            </aside>
        </div>
    }
    // Its own type, not the page's: the page's whole view type outgrew the compiler's limit.
    .into_any_sync()
}

/// What the customer will see on the payment page the link opens: the payee, the payer's
/// name, what it is for and the amount, fixed or within its range.
#[component]
fn CustomerView(
    draft: RwSignal<LinkForm>,
    currency: Currency,
    unit: Unit,
    store: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let amount = move |typed: &str| {
        engine::validation::optional_amount(typed, currency, unit)
            .ok()
            .flatten()
    };
    let pay_to = text!(i18n.get_locale_untracked(), pay_to, store = store).to_string();
    let terms = move || {
        draft.with(|d| {
            let line = |label: String, value: &str| {
                let value = value.trim().to_owned();
                (!value.is_empty()).then(|| view! { <Row label value /> })
            };
            let pays = asks(
                amount(&d.amount),
                amount(&d.min_amount),
                amount(&d.max_amount),
                currency,
                unit,
            );
            view! {
                <dl class="summary">
                    {line(text!(i18n, payer_name).to_string(), &d.payer_name)}
                    {line(text!(i18n, description).to_string(), &d.description)}
                    <div class="row" data-testid="preview-amount">
                        <dt>{text!(i18n, amount_to_pay)}</dt>
                        <dd>{pays}</dd>
                    </div>
                </dl>
            }
        })
    };
    view! {
        <section class="customer-view" aria-labelledby="customer-view-title" data-testid="customer-view">
            <h4 id="customer-view-title">{text!(i18n, link_customer_view)}</h4>
            <p class="pay-to">{pay_to}</p>
            {terms}
        </section>
    }
}

/// Reads the builder's form after each keystroke or tick into `draft`.
fn retyped(ev: leptos::ev::Event, draft: RwSignal<LinkForm>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::{Element, HtmlFormElement};
        let Some(query) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
            .and_then(|form| super::fields::form_query(&form))
        else {
            return;
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
        draft.set(form_of(pairs));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, draft);
}

/// Asks the server for the address of the link `draft` makes once typing pauses (the
/// customer's view follows at once, in the browser); an answer to an older draft, or one that
/// comes after the builder is gone (the form was sent and the page read again), is dropped.
fn follow_preview(draft: RwSignal<LinkForm>, preview: RwSignal<Option<LinkPreview>>) {
    #[cfg(feature = "hydrate")]
    {
        let pending = StoredValue::new(None::<TimeoutHandle>);
        on_cleanup(move || {
            if let Some(timer) = pending.try_get_value().flatten() {
                timer.clear();
            }
        });
        Effect::new(move |loaded: Option<()>| {
            let asked = draft.get();
            // The page came with the preview of the form as loaded.
            if loaded.is_none() {
                return;
            }
            if let Some(timer) = pending.get_value() {
                timer.clear();
            }
            let ask = move || {
                leptos::task::spawn_local(async move {
                    if let Ok(answer) = preview_link(asked.clone()).await
                        && draft.try_with_untracked(|now| *now == asked) == Some(true)
                    {
                        preview.try_set(answer);
                    }
                })
            };
            let timer = set_timeout_with_handle(ask, std::time::Duration::from_millis(150));
            pending.set_value(timer.ok());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (draft, preview);
}

#[component]
fn LinkList(page: LinksPage) -> impl IntoView {
    let i18n = use_i18n();
    if page.links.is_empty() {
        return view! { <p class="muted">{text!(i18n, no_links)}</p> }.into_any_sync();
    }
    let lang = crate::components::lang();
    let number = move |n: i64| engine::digits::localize(&n.to_string(), lang);
    let items = page
        .links
        .iter()
        .map(|l| {
            let link = &l.link;
            let kind = if link.signed {
                text!(i18n, link_kind_signed)
            } else {
                text!(i18n, link_kind_plain)
            };
            let uses = match link.max_uses {
                Some(max) => text!(i18n.get_locale_untracked(), link_uses_of, uses = number(link.uses), max = number(max)).to_string(),
                None => text!(i18n.get_locale_untracked(), link_uses, uses = number(link.uses)).to_string(),
            };
            let paid = text!(i18n.get_locale_untracked(), link_paid, paid = number(link.paid)).to_string();
            let expires = link.expires_at.map(|at| {
                let day = crate::components::day_text(at / engine::time::DAY_MILLIS - 1, lang);
                text!(i18n.get_locale_untracked(), link_expires_on, date = day).to_string()
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
                        <a class="button" href=format!("{PATH}?show={}", link.id)>{text!(i18n, link_show)}</a>
                        <CopyButton text=l.url.clone() label=text!(i18n, copy).to_string() done=text!(i18n, copied).to_string() />
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{text!(i18n, your_links)}</h2>
        <ul class="items">{items}</ul>
    }
    .into_any_sync()
}
