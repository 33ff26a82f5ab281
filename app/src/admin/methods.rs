//! Payment methods: the store's provider accounts with their common settings (display name,
//! live or test, amount limits, discount) and provider fields. Credentials are write-only:
//! the page shows them masked and never sends them back (see `engine::settings::methods`).

use engine::money::{Currency, Discount, Unit, amount_input_value};
use engine::validation::Field;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::fields::{CopyButton, Notice, SelectField, field_error, typed};
use super::{AdminView, Shell};
use crate::components::{TextField, discount_text, money_text};
use crate::flash::Flash;
use crate::i18n::*;

pub const PATH: &str = "/admin/methods";

/// A method as the back office shows it: no credential but masked ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodView {
    pub id: i64,
    pub provider: String,
    pub display_name: String,
    pub live: bool,
    pub enabled: bool,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub discount: Option<Discount>,
    /// Provider fields by name: plain values, secrets masked.
    pub fields: Vec<(String, String)>,
    /// The logo's address, if one was uploaded.
    pub logo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodsPage {
    pub admin: AdminView,
    pub currency: Currency,
    pub unit: Unit,
    pub methods: Vec<MethodView>,
    /// The providers a method can be added for.
    pub providers: Vec<String>,
    /// The address to register with the providers (Kassa's public URL).
    pub site_url: String,
    pub flash: Option<Flash>,
}

#[server(endpoint = "admin/methods-page")]
pub async fn load_methods() -> Result<MethodsPage, ServerFnError> {
    use engine::settings::methods::{PROVIDERS, shown_fields};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let saved = engine::db::methods::list_all(state.checkout.db(), store.id)
        .await
        .map_err(crate::api::internal)?;
    let logos = engine::db::images::versions(state.checkout.db(), store.id)
        .await
        .map_err(crate::api::internal)?;
    let mut methods = Vec::with_capacity(saved.len());
    for m in saved {
        let name = engine::images::ImageName::Method(m.id);
        methods.push(MethodView {
            logo: logos
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(n, v)| engine::images::url(store.id, *n, *v)),
            fields: shown_fields(&state.secrets, &m).map_err(crate::api::internal)?,
            id: m.id,
            provider: m.provider,
            display_name: m.display_name,
            live: m.live,
            enabled: m.enabled,
            min_amount: m.min_amount,
            max_amount: m.max_amount,
            discount: m.discount,
        });
    }
    Ok(MethodsPage {
        admin,
        currency: store.currency,
        unit: store.unit(),
        methods,
        providers: PROVIDERS.iter().map(|(p, _)| (*p).to_owned()).collect(),
        site_url: state.checkout.public_url().to_owned(),
        flash: crate::flash::take().await,
    })
}

/// Adds a method of `provider` (`id` empty) or saves one of the store's methods. Each provider
/// field is an argument of its own, named as its input (Zarinpal: `merchant_id`).
#[server(endpoint = "admin/method")]
pub async fn save_method(
    id: String,
    provider: String,
    display_name: String,
    live: Option<String>,
    min_amount: String,
    max_amount: String,
    discount_kind: String,
    discount_value: String,
    merchant_id: Option<String>,
) -> Result<(), ServerFnError> {
    use engine::settings::SettingsError;
    use engine::settings::methods::{self, MethodForm};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, _) = super::admin_view(&state, &user).await?;
    let db = state.checkout.db();
    let provider_values: Vec<(String, String)> = [("merchant_id", merchant_id)]
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_owned(), v?)))
        .collect();
    let form = MethodForm {
        display_name,
        live: live.is_some(),
        min_amount,
        max_amount,
        discount_kind,
        discount_value,
        provider_values,
    };
    let id = id.trim().to_owned();
    let result = if id.is_empty() {
        methods::add(db, &state.secrets, &store, &provider, &form)
            .await
            .map(|_| true)
    } else {
        match id.parse::<i64>() {
            Ok(n) => methods::edit(db, &state.secrets, &store, n, &form).await,
            Err(_) => Ok(false),
        }
    };
    let (flash, target) = match result {
        Ok(true) => (Flash::notice("saved"), PATH.to_owned()),
        Ok(false) => (Flash::notice("missing"), PATH.to_owned()),
        Err(SettingsError::Invalid(errors)) => {
            // Secrets are never echoed back, not even into the refused form.
            let mut values = vec![
                ("display_name".to_owned(), form.display_name),
                (
                    "live".to_owned(),
                    if form.live { "on" } else { "" }.to_owned(),
                ),
                ("min_amount".to_owned(), form.min_amount),
                ("max_amount".to_owned(), form.max_amount),
                ("discount_kind".to_owned(), form.discount_kind),
                ("discount_value".to_owned(), form.discount_value),
            ];
            let fields = methods::provider_fields(&provider).unwrap_or_default();
            values.extend(
                form.provider_values
                    .into_iter()
                    .filter(|(k, _)| fields.iter().any(|f| f.name == k && !f.secret)),
            );
            let flash = Flash {
                values,
                errors: errors.encode(),
                notice: None,
            };
            let target = if id.is_empty() {
                format!("{PATH}?add={provider}")
            } else {
                format!("{PATH}?edit={id}")
            };
            (flash, target)
        }
        Err(other) => return Err(crate::api::internal(other)),
    };
    crate::flash::put(&flash);
    leptos_axum::redirect(&target);
    Ok(())
}

/// Enables (`change=enable`), disables (`disable`) or moves (`up`, `down`) one of the store's
/// methods.
#[server(endpoint = "admin/method-change")]
pub async fn change_method(id: String, change: String) -> Result<(), ServerFnError> {
    use engine::db::methods;
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let db = state.checkout.db();
    let store = user.store_id;
    let found = match id.parse::<i64>() {
        Ok(id) => match change.as_str() {
            "enable" => methods::set_enabled(db, store, id, true).await,
            "disable" => methods::set_enabled(db, store, id, false).await,
            "up" => methods::shift(db, store, id, -1).await,
            "down" => methods::shift(db, store, id, 1).await,
            _ => Ok(false),
        }
        .map_err(crate::api::internal)?,
        Err(_) => false,
    };
    crate::flash::put(&Flash::notice(if found { "saved" } else { "missing" }));
    leptos_axum::redirect(PATH);
    Ok(())
}

/// The provider's name as merchants know it.
fn provider_name(provider: &str) -> &'static str {
    match provider {
        "zarinpal" => "Zarinpal",
        _ => "—",
    }
}

#[component]
pub fn Methods() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Resource::new(|| (), |_| load_methods());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let q = query.read_untracked();
                    let editing = q.get("edit").and_then(|id| id.parse::<i64>().ok())
                        .and_then(|id| page.methods.iter().find(|m| m.id == id).cloned());
                    let adding = q.get("add").filter(|p| page.providers.contains(p));
                    // The logo form shows its own notices.
                    let notice = page.flash.as_ref().and_then(|f| f.notice.clone()).and_then(|n| match n.as_str() {
                        "saved" => Some(view! { <Notice text=t_string!(i18n, method_saved).to_string() /> }.into_any()),
                        "missing" => Some(view! { <Notice text=t_string!(i18n, method_missing).to_string() error=true /> }.into_any()),
                        _ => None,
                    });
                    let (currency, unit) = (page.currency, page.unit);
                    let list = if page.methods.is_empty() {
                        view! { <p class="muted">{t!(i18n, no_methods)}</p> }.into_any()
                    } else {
                        let count = page.methods.len();
                        let rows = page.methods.iter().cloned().enumerate().map(|(i, m)| {
                            let site_url = page.site_url.clone();
                            view! { <MethodRow m currency unit first=i == 0 last=i + 1 == count site_url /> }
                        }).collect_view();
                        view! { <ul class="items">{rows}</ul> }.into_any()
                    };
                    let add_links = page.providers.iter().map(|p| {
                        let label = td_string!(i18n.get_locale_untracked(), add_method, provider = provider_name(p)).to_string();
                        view! { <a class="button" href=format!("{PATH}?add={p}")>{label}</a> }
                    }).collect_view();
                    let form = match (editing, adding) {
                        (Some(m), _) => Some(view! {
                            <MethodForm provider=m.provider.clone() saved=Some(m.clone()) flash=page.flash.clone() currency unit />
                            <super::logos::LogoForm name=engine::images::ImageName::Method(m.id) current=m.logo.clone() flash=page.flash.clone() />
                        }.into_any()),
                        (None, Some(p)) => Some(view! { <MethodForm provider=p saved=None flash=page.flash.clone() currency unit /> }.into_any()),
                        (None, None) => None,
                    };
                    view! {
                        <Shell admin=page.admin.clone() title=t_string!(i18n, nav_methods).to_string()>
                            {notice}
                            <p class="hint">{t!(i18n, methods_hint)}</p>
                            {list}
                            <p class="actions">{add_links}</p>
                            {form}
                        </Shell>
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
fn MethodRow(
    m: MethodView,
    currency: Currency,
    unit: Unit,
    first: bool,
    last: bool,
    site_url: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangeMethod>::new();
    let button = move |value: &'static str, label: String, disabled: bool| {
        view! {
            <ActionForm action=change>
                <input type="hidden" name="id" value=m.id.to_string() />
                <input type="hidden" name="change" value=value />
                <button type="submit" class="button" disabled=disabled>{label}</button>
            </ActionForm>
        }
    };
    let mode = if m.live {
        t_string!(i18n, mode_live)
    } else {
        t_string!(i18n, mode_test)
    }
    .to_string();
    let status = if m.enabled {
        t_string!(i18n, active)
    } else {
        t_string!(i18n, inactive)
    }
    .to_string();
    let limits = match (m.min_amount, m.max_amount) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{} – {}",
            min.map(|n| money_text(n, currency, unit))
                .unwrap_or_default(),
            max.map(|n| money_text(n, currency, unit))
                .unwrap_or_default()
        )),
    };
    let discount = m.discount.map(|d| {
        td_string!(
            i18n.get_locale_untracked(),
            discount_off,
            discount = discount_text(d, currency, unit)
        )
        .to_string()
    });
    let credentials = m
        .fields
        .iter()
        .map(|(_, shown)| shown.clone())
        .collect::<Vec<_>>()
        .join(" · ");
    let toggle = if m.enabled {
        button("disable", t_string!(i18n, deactivate).to_string(), false)
    } else {
        button("enable", t_string!(i18n, activate).to_string(), false)
    };
    let label = t_string!(i18n, register_site).to_string();
    view! {
        <li class="item" class:inactive=!m.enabled>
            <div>
                <strong>{m.display_name.clone()}</strong>" · "{provider_name(&m.provider)}
                <p class="muted">{status}" · "{mode}{limits.map(|l| format!(" · {l}"))}{discount.map(|d| format!(" · {d}"))}</p>
                <p class="mono">{credentials}</p>
                <div class="copy-row">
                    <label class="hint" for=format!("site-{}", m.id)>{label}</label>
                    <input id=format!("site-{}", m.id) class="mono" readonly value=site_url.clone() />
                    <CopyButton text=site_url label=t_string!(i18n, copy).to_string() done=t_string!(i18n, copied).to_string() />
                </div>
            </div>
            <div class="item-actions">
                <a class="button" href=format!("{PATH}?edit={}", m.id)>{t!(i18n, edit)}</a>
                {toggle}
                {button("up", "↑".to_owned(), first)}
                {button("down", "↓".to_owned(), last)}
            </div>
        </li>
    }
}

#[component]
fn MethodForm(
    provider: String,
    saved: Option<MethodView>,
    flash: Option<Flash>,
    currency: Currency,
    unit: Unit,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveMethod>::new();
    let amount = |n: Option<i64>| {
        n.map(|n| amount_input_value(n, currency, unit))
            .unwrap_or_default()
    };
    let s = saved.as_ref();
    let display_name = typed(
        &flash,
        "display_name",
        s.map_or_else(
            || provider_name(&provider).to_owned(),
            |m| m.display_name.clone(),
        ),
    );
    let live = flash.as_ref().map_or(s.is_some_and(|m| m.live), |f| {
        f.value("live").is_some_and(|v| !v.is_empty())
    });
    let min = typed(&flash, "min_amount", amount(s.and_then(|m| m.min_amount)));
    let max = typed(&flash, "max_amount", amount(s.and_then(|m| m.max_amount)));
    let (saved_kind, saved_value) = match s.and_then(|m| m.discount) {
        Some(Discount::Fixed(n)) => ("fixed", amount(Some(n))),
        Some(Discount::Percent(bp)) => (
            "percent",
            discount_text(Discount::Percent(bp), currency, unit)
                .trim_end_matches('%')
                .to_owned(),
        ),
        None => ("none", String::new()),
    };
    let kind = typed(&flash, "discount_kind", saved_kind);
    let value = typed(&flash, "discount_value", saved_value);
    let errors = [
        Field::DisplayName,
        Field::MinAmount,
        Field::MaxAmount,
        Field::Discount,
        Field::MerchantId,
    ]
    .map(|f| field_error(&flash, f));
    let [
        name_error,
        min_error,
        max_error,
        discount_error,
        merchant_error,
    ] = errors;
    let refused = flash.as_ref().is_some_and(|f| !f.errors().is_empty());
    // Secrets: a saved one is shown masked as the placeholder, and a blank field keeps it.
    let merchant_saved = s.and_then(|m| {
        m.fields
            .iter()
            .find(|(k, _)| k == "merchant_id")
            .map(|(_, v)| v.clone())
    });
    let merchant_hint = match &merchant_saved {
        Some(v) if v == engine::public::UNREADABLE_SECRET => {
            t_string!(i18n, secret_unreadable).to_string()
        }
        Some(masked) => td_string!(
            i18n.get_locale_untracked(),
            secret_saved,
            masked = masked.clone()
        )
        .to_string(),
        None => t_string!(i18n, merchant_id_hint).to_string(),
    };
    let unit_label = match unit {
        Unit::Toman => t_string!(i18n, unit_toman).to_string(),
        Unit::Standard if currency == Currency::IRR => t_string!(i18n, unit_rial).to_string(),
        Unit::Standard => currency.code().to_owned(),
    };
    let title = match s {
        Some(m) => td_string!(
            i18n.get_locale_untracked(),
            edit_method,
            name = m.display_name.clone()
        )
        .to_string(),
        None => td_string!(
            i18n.get_locale_untracked(),
            add_method,
            provider = provider_name(&provider)
        )
        .to_string(),
    };
    let id = s.map(|m| m.id.to_string()).unwrap_or_default();
    let kinds = [
        ("none", t_string!(i18n, discount_none)),
        ("fixed", t_string!(i18n, discount_fixed)),
        ("percent", t_string!(i18n, discount_percent)),
    ]
    .map(|(v, label)| view! { <option value=v selected=kind == v>{label.to_string()}</option> });
    view! {
        <h2>{title}</h2>
        {refused.then(|| view! { <Notice text=t_string!(i18n, form_has_errors).to_string() error=true /> })}
        <ActionForm action=save attr:class="stack" attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="provider" value=provider.clone() />
            <TextField name="display_name" label=t_string!(i18n, method_display_name).to_string() value=display_name error=name_error />
            <label class="check">
                <input type="checkbox" name="live" checked=live />
                <span>{t!(i18n, method_live)}</span>
            </label>
            <p class="hint">{t!(i18n, method_live_hint)}</p>
            <TextField name="min_amount" inputmode="decimal" label=format!("{} ({unit_label})", t_string!(i18n, min_amount)) value=min error=min_error />
            <TextField name="max_amount" inputmode="decimal" label=format!("{} ({unit_label})", t_string!(i18n, max_amount)) value=max error=max_error />
            <SelectField name="discount_kind" label=t_string!(i18n, discount).to_string() error=None>{kinds}</SelectField>
            <TextField name="discount_value" inputmode="decimal" label=t_string!(i18n, discount_value).to_string() hint=t_string!(i18n, discount_hint).to_string() value error=discount_error />
            <TextField name="merchant_id" autocomplete="off" label=t_string!(i18n, merchant_id).to_string() hint=merchant_hint value=String::new() error=merchant_error />
            <div class="actions">
                <button type="submit" class="button primary">{t!(i18n, save)}</button>
                <a class="button" href=PATH>{t!(i18n, cancel)}</a>
            </div>
        </ActionForm>
    }
}
