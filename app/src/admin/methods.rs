//! Payment methods: the store's provider accounts with their common settings (display name,
//! live or test, amount limits, discount) and provider fields. Credentials are write-only:
//! the page shows them masked and never sends them back (see `engine::settings::methods`).

use engine::money::{Currency, Discount, Unit, amount_input_value};
use engine::public::Input;
use engine::validation::{Field, Problem};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::any_sync::IntoAnySync;
use super::fields::{
    CopyButton, FormPost, Notice, SelectField, ServerForm, amount_check, field_error, typed,
};
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

/// One field of a provider's form (a setting, `engine::connectors::Setting`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldView {
    /// The configuration key; the input is `provider[{name}]`, its texts `{name}` and
    /// `{name}_hint` in the provider's texts.
    pub name: String,
    pub field: Field,
    pub secret: bool,
    pub input: engine::public::Input,
    /// The keyboard a phone offers (`inputmode`).
    pub keyboard: String,
}

/// A provider a method can be added for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderView {
    /// Its id (`payment_methods.provider`; its texts' file).
    pub id: String,
    /// Its name as merchants know it.
    pub name: String,
    pub fields: Vec<FieldView>,
    /// The currencies it settles.
    pub currencies: Vec<String>,
    /// The address to paste into the provider's account settings, for providers that post
    /// every notification of an account to one address (PayPal's IPN).
    pub notify_url: Option<String>,
    /// It offers a configuration package to paste instead of the fields (myPOS).
    pub package: bool,
    /// This server can offer it (PayMe needs Kassa's platform credentials): only then may a
    /// method of it be added.
    pub offered: bool,
    /// Its accounts are connected to one store at a time (PayMe).
    pub account: bool,
    /// Its own texts (`crate::provider_texts`: settings' labels and hints, the address to
    /// paste) in the page's language, by key. They come with the page, so the wasm carries
    /// no provider's texts in five languages.
    pub texts: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodsPage {
    pub admin: AdminView,
    pub currency: Currency,
    pub unit: Unit,
    pub methods: Vec<MethodView>,
    pub providers: Vec<ProviderView>,
    /// The address to register with the providers (Kassa's public URL).
    pub site_url: String,
    /// Where merchants open a PayMe account registered through Kassa.
    pub payme_signup_url: Option<String>,
    pub flash: Option<Flash>,
}

/// The methods page in `lang`'s language (the page's `<html lang>`; the default language
/// without it).
#[server(endpoint = "admin/methods-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_methods(lang: Option<String>) -> Result<MethodsPage, ServerFnError> {
    use engine::connectors::{Notifications, PROVIDERS, notify_path};
    use engine::settings::methods::{field, shown_fields};
    let locale = <Locale as leptos_i18n::Locale>::find_locale(&[lang.unwrap_or_default()]);
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
        providers: PROVIDERS
            .iter()
            .map(|p| ProviderView {
                id: p.id.to_owned(),
                name: p.name.to_owned(),
                fields: p
                    .fields
                    .iter()
                    .map(|f| FieldView {
                        name: f.name.to_owned(),
                        field: field(f.name),
                        secret: f.secret,
                        input: f.input,
                        keyboard: f.keyboard.to_owned(),
                    })
                    .collect(),
                currencies: p.currencies.iter().map(|c| (*c).to_owned()).collect(),
                notify_url: matches!(p.notifications, Notifications::Account { .. })
                    .then(|| format!("{}{}", state.checkout.public_url(), notify_path(p, ""))),
                package: p.package.is_some(),
                offered: state.checkout.connectors().offers(p),
                account: p.account.is_some(),
                texts: crate::provider_texts::texts_of(locale, p.id)
                    .map(|(key, text)| (key.to_owned(), text.to_owned()))
                    .collect(),
            })
            .collect(),
        site_url: state.checkout.public_url().to_owned(),
        payme_signup_url: state.payme_signup_url.clone(),
        flash: crate::flash::take().await,
    })
}

/// Adds a method of `provider` (`id` empty) or saves one of the store's methods. The provider's
/// own fields come as `provider[{name}]` (Zarinpal: `provider[merchant_id]`).
#[server(endpoint = "admin/method", output = crate::admin::Postcard)]
pub async fn save_method(
    id: String,
    kind: String,
    display_name: String,
    live: Option<String>,
    min_amount: String,
    max_amount: String,
    discount_kind: String,
    discount_value: String,
    #[server(default)] provider: std::collections::HashMap<String, String>,
) -> Result<(), ServerFnError> {
    use engine::settings::SettingsError;
    use engine::settings::methods::{self, MethodForm};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, _) = super::admin_view(&state, &user).await?;
    let fields = engine::connectors::registry::find(&kind).map_or(&[][..], |p| p.fields);
    // Only the provider's own fields, in its order, and its configuration package if pasted
    // (the engine reads it only for providers that have one).
    let provider_values: Vec<(String, String)> = fields
        .iter()
        .map(|f| f.name)
        .chain(["package"])
        .filter_map(|name| Some((name.to_owned(), provider.get(name)?.clone())))
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
        methods::add(&state.checkout, &store, &kind, &form)
            .await
            .map(|_| true)
    } else {
        match id.parse::<i64>() {
            Ok(n) => methods::edit(&state.checkout, &store, n, &form).await,
            Err(_) => Ok(false),
        }
    };
    let (flash, target) = match result {
        Ok(true) => (Flash::notice("saved"), PATH.to_owned()),
        Ok(false) => (Flash::notice("missing"), PATH.to_owned()),
        Err(SettingsError::Invalid(errors)) => {
            // Secrets are never echoed back, not even into the refused form; nor are long
            // texts (a certificate, a package): the flash cookie must stay small.
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
            values.extend(form.provider_values.into_iter().filter(|(k, _)| {
                fields
                    .iter()
                    .any(|f| f.name == k && !f.secret && f.input != engine::public::Input::Text)
            }));
            let flash = Flash {
                values,
                errors: errors.encode(),
                notice: None,
            };
            let target = if id.is_empty() {
                format!("{PATH}?add={kind}")
            } else {
                format!("{PATH}?edit={id}")
            };
            (flash, target)
        }
        Err(other) => return Err(crate::api::internal(other)),
    };
    crate::flash::put(&flash);
    crate::session::redirect_to(&target);
    Ok(())
}

/// Enables (`change=enable`), disables (`disable`) or moves (`up`, `down`) one of the store's
/// methods.
#[server(endpoint = "admin/method-change", output = crate::admin::Postcard)]
pub async fn change_method(id: String, change: String) -> Result<(), ServerFnError> {
    use engine::db::methods::shift;
    use engine::settings::SettingsError;
    use engine::settings::methods::set_enabled;
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, _) = super::admin_view(&state, &user).await?;
    let (checkout, db) = (&state.checkout, state.checkout.db());
    let result = match id.parse::<i64>() {
        Ok(id) => match change.as_str() {
            "enable" => set_enabled(checkout, &store, id, true).await,
            "disable" => set_enabled(checkout, &store, id, false).await,
            "up" => shift(db, store.id, id, -1)
                .await
                .map_err(SettingsError::from),
            "down" => shift(db, store.id, id, 1)
                .await
                .map_err(SettingsError::from),
            _ => Ok(false),
        },
        Err(_) => Ok(false),
    };
    let flash = match result {
        Ok(found) => Flash::notice(if found { "saved" } else { "missing" }),
        // Turning a method on asks its provider again (PayMe): say why it refused.
        Err(SettingsError::Invalid(errors)) => Flash {
            values: vec![("id".to_owned(), id.clone())],
            errors: errors.encode(),
            notice: Some("refused".to_owned()),
        },
        Err(other) => return Err(crate::api::internal(other)),
    };
    crate::flash::put(&flash);
    crate::session::redirect_to(PATH);
    Ok(())
}

/// What is wrong with `value` for the setting `name` of `provider` (`None`: nothing), by the
/// provider's own check (`engine::connectors::Setting::check`), asked as the merchant types:
/// the checks live with the providers on the server (a myPOS key is parsed as RSA).
#[server(endpoint = "admin/check-setting", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn check_setting(
    provider: String,
    name: String,
    value: String,
) -> Result<Option<Problem>, ServerFnError> {
    crate::session::require_user().await?;
    let setting = engine::connectors::registry::find(&provider)
        .and_then(|p| p.fields.iter().find(|f| f.name == name))
        .ok_or_else(|| ServerFnError::new(format!("{provider} has no setting {name}")))?;
    Ok((setting.check)(&value).err())
}

/// Asks `check_setting` about a provider setting as typed, in the page's language.
fn ask_setting(provider: &str, name: &str, secret: bool) -> crate::components::Ask {
    let locale = use_i18n().get_locale_untracked();
    let (provider, name) = (provider.to_owned(), name.to_owned());
    Callback::new(move |value: String| {
        let (provider, name) = (provider.clone(), name.clone());
        Box::pin(async move {
            // A secret left blank keeps the saved one: nothing is wrong.
            if secret && value.trim().is_empty() {
                return None;
            }
            let problem = check_setting(provider, name, value).await.ok().flatten()?;
            Some(crate::components::problem_text_in(locale, problem, |n| {
                n.to_string()
            }))
        }) as std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>>>>
    })
}

/// A provider's text, as the page brought it (its key if it has none).
fn text_of(provider: &ProviderView, key: &str) -> String {
    let text = provider.texts.iter().find(|(k, _)| k == key);
    text.map_or(key, |(_, text)| text).to_owned()
}

#[component]
pub fn Methods() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let lang = i18n.get_locale_untracked().as_str();
    let page = super::page_data(move |_| load_methods(Some(lang.to_owned())));
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let q = query.read_untracked();
                    let editing = q.get("edit").and_then(|id| id.parse::<i64>().ok())
                        .and_then(|id| page.methods.iter().find(|m| m.id == id).cloned());
                    let adding = q.get("add").and_then(|p| page.providers.iter().find(|v| v.id == p).cloned());
                    // The logo form shows its own notices.
                    let notice = page.flash.as_ref().and_then(|f| f.notice.clone()).and_then(|n| match n.as_str() {
                        "saved" => Some(view! { <Notice text=text!(i18n, method_saved).to_string() /> }.into_any_sync()),
                        "missing" => Some(view! { <Notice text=text!(i18n, method_missing).to_string() error=true /> }.into_any_sync()),
                        // A method the provider would not connect again stays off.
                        "refused" => {
                            let problems = page.flash.as_ref().map(Flash::errors).unwrap_or_default();
                            let signup_url = page.payme_signup_url.clone();
                            Some(problems.iter().map(|(_, problem)| {
                                view! { <Refusal problem signup_url=signup_url.clone() /> }
                            }).collect_view().into_any_sync())
                        }
                        _ => None,
                    });
                    let (currency, unit) = (page.currency, page.unit);
                    let list = if page.methods.is_empty() {
                        view! { <p class="muted">{text!(i18n, no_methods)}</p> }.into_any_sync()
                    } else {
                        let count = page.methods.len();
                        let rows = page.methods.iter().cloned().enumerate().map(|(i, m)| {
                            let provider = page.providers.iter().find(|p| p.id == m.provider).cloned();
                            let site_url = page.site_url.clone();
                            view! { <MethodRow m currency unit first=i == 0 last=i + 1 == count site_url provider /> }
                        }).collect_view();
                        view! { <ul class="items">{rows}</ul> }.into_any_sync()
                    };
                    let add_links = page.providers.iter().filter(|p| p.offered).map(|p| {
                        let label = text!(i18n.get_locale_untracked(), add_method, provider = p.name.clone()).to_string();
                        view! { <a class="button" href=format!("{PATH}?add={}", p.id)>{label}</a> }
                    }).collect_view();
                    let signup_url = page.payme_signup_url.clone();
                    let form = match (editing, adding) {
                        (Some(m), _) => page.providers.iter().find(|p| p.id == m.provider).cloned().map(|provider| view! {
                            <MethodForm provider saved=Some(m.clone()) flash=page.flash.clone() currency unit signup_url />
                            <super::logos::LogoForm name=engine::images::ImageName::Method(m.id) current=m.logo.clone() flash=page.flash.clone() />
                        }.into_any_sync()),
                        (None, Some(provider)) => Some(view! { <MethodForm provider saved=None flash=page.flash.clone() currency unit signup_url /> }.into_any_sync()),
                        (None, None) => None,
                    };
                    view! {
                        <Shell admin=page.admin.clone() title=text!(i18n, nav_methods).to_string()>
                            {notice}
                            <p class="hint">{text!(i18n, methods_hint)}</p>
                            {list}
                            <p class="actions">{add_links}</p>
                            {form}
                        </Shell>
                    }
                })
            })}
        </Transition>
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
    provider: Option<ProviderView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let change = FormPost::<ChangeMethod>::new();
    let button = move |value: &'static str, label: String, disabled: bool| {
        view! {
            <ServerForm action=change>
                <input type="hidden" name="id" value=m.id.to_string() />
                <input type="hidden" name="change" value=value />
                <button type="submit" class="button" disabled=disabled>{label}</button>
            </ServerForm>
        }
    };
    let mode = if m.live {
        text!(i18n, mode_live)
    } else {
        text!(i18n, mode_test)
    }
    .to_string();
    let status = if m.enabled {
        text!(i18n, active)
    } else {
        text!(i18n, inactive)
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
        text!(
            i18n.get_locale_untracked(),
            discount_off,
            discount = discount_text(d, currency, unit)
        )
        .to_string()
    });
    // One-line values only: a certificate or a switch says nothing at a glance.
    let one_line = |name: &str| {
        provider.as_ref().is_none_or(|p| {
            p.fields
                .iter()
                .any(|f| f.name == name && f.input == engine::public::Input::Line)
        })
    };
    let credentials = m
        .fields
        .iter()
        .filter(|(name, _)| one_line(name))
        .map(|(_, shown)| shown.clone())
        .collect::<Vec<_>>()
        .join(" · ");
    let brand = provider
        .as_ref()
        .map_or_else(|| m.provider.clone(), |p| p.name.clone());
    let disconnect_hint = provider
        .as_ref()
        .filter(|p| p.account && m.enabled)
        .map(|p| text_of(p, "disconnect_hint"));
    let notify = provider.and_then(|p| Some((text_of(&p, "notify_url"), p.notify_url?)));
    let toggle = if m.enabled {
        button("disable", text!(i18n, deactivate).to_string(), false)
    } else {
        button("enable", text!(i18n, activate).to_string(), false)
    };
    // PayPal and EveryPay ask for the address they post to, not the site's.
    let (label, site_url) =
        notify.unwrap_or_else(|| (text!(i18n, register_site).to_string(), site_url));
    view! {
        <li class="item" class:inactive=!m.enabled>
            <div>
                <strong>{m.display_name.clone()}</strong>" · "{brand}
                <p class="muted">{status}" · "{mode}{limits.map(|l| format!(" · {l}"))}{discount.map(|d| format!(" · {d}"))}</p>
                <p class="mono">{credentials}</p>
                {disconnect_hint.map(|hint| view! { <p class="hint">{hint}</p> })}
                <div class="copy-row">
                    <label class="hint" for=format!("site-{}", m.id)>{label}</label>
                    <input id=format!("site-{}", m.id) class="mono" readonly value=site_url.clone() />
                    <CopyButton text=site_url label=text!(i18n, copy).to_string() done=text!(i18n, copied).to_string() />
                </div>
            </div>
            <div class="item-actions">
                <a class="button" href=format!("{PATH}?edit={}", m.id)>{text!(i18n, edit)}</a>
                {toggle}
                {button("up", "↑".to_owned(), first)}
                {button("down", "↓".to_owned(), last)}
            </div>
        </li>
    }
}

/// The link to PayMe's registration through Kassa, when the problem is an unregistered key.
fn signup_link(
    i18n: leptos_i18n::I18nContext<Locale>,
    problem: Option<Problem>,
    signup_url: Option<String>,
) -> Option<impl IntoView + use<>> {
    let url = signup_url.filter(|_| problem == Some(Problem::NotRegistered))?;
    Some(view! { <a href=url target="_blank" rel="noopener">{text!(i18n, payme_signup)}</a> })
}

/// Why the provider refused an account, with the remedy's link where there is one.
#[component]
fn Refusal(problem: Problem, signup_url: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let link = signup_link(i18n, Some(problem), signup_url);
    view! { <p class="form-error" role="alert">{crate::components::problem_text(problem, |n| n.to_string())}" "{link}</p> }
}

#[component]
fn MethodForm(
    provider: ProviderView,
    saved: Option<MethodView>,
    flash: Option<Flash>,
    currency: Currency,
    unit: Unit,
    signup_url: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = FormPost::<SaveMethod>::new();
    let amount = |n: Option<i64>| {
        n.map(|n| amount_input_value(n, currency, unit))
            .unwrap_or_default()
    };
    let s = saved.as_ref();
    let display_name = typed(
        &flash,
        "display_name",
        s.map_or_else(|| provider.name.clone(), |m| m.display_name.clone()),
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
    let [name_error, min_error, max_error] =
        [Field::DisplayName, Field::MinAmount, Field::MaxAmount].map(|f| field_error(&flash, f));
    // A discount's one limit is 100 %.
    let percent = move |bp| discount_text(Discount::Percent(bp), currency, unit);
    let discount_error = super::fields::field_error_within(&flash, Field::Discount, percent);
    let errors = flash.as_ref().map(Flash::errors).unwrap_or_default();
    let refused = !errors.is_empty();
    // The store's currency is checked before anything is typed: say so at once.
    let currency_notice = (!provider.currencies.iter().any(|c| c == currency.code())).then(|| {
        let text = text!(
            i18n.get_locale_untracked(),
            provider_currency,
            provider = provider.name.clone(),
            currencies = provider.currencies.join(", "),
            currency = currency.code()
        )
        .to_string();
        view! { <p class="form-error" role="alert">{text}" "<a href="/admin/settings">{text!(i18n, nav_settings)}</a></p> }
    });
    let unreachable = errors
        .get(Field::Method)
        .map(|problem| view! { <Refusal problem signup_url=None /> });
    let provider_fields = provider.fields.iter().map(|f| {
        let (label, hint) = (text_of(&provider, &f.name), text_of(&provider, &format!("{}_hint", f.name)));
        let inputmode = f.keyboard.clone();
        let saved_value = s.and_then(|m| m.fields.iter().find(|(k, _)| *k == f.name).map(|(_, v)| v.clone()));
        // Secrets: a saved one is shown masked in the hint, and a blank field keeps it.
        let (hint, value) = if f.secret {
            let hint = match &saved_value {
                Some(v) if v == engine::public::UNREADABLE_SECRET => text!(i18n, secret_unreadable).to_string(),
                Some(masked) => text!(i18n.get_locale_untracked(), secret_saved, masked = masked.clone()).to_string(),
                None => hint,
            };
            (hint, String::new())
        } else {
            (hint, typed(&flash, &f.name, saved_value.unwrap_or_default()))
        };
        let error = field_error(&flash, f.field);
        let link = signup_link(i18n, errors.get(f.field), signup_url.clone())
            .map(|link| view! { <p class="hint">{link}</p> });
        let ask = ask_setting(&provider.id, &f.name, f.secret);
        let name = format!("provider[{}]", f.name);
        let input = match f.input {
            Input::Switch => EitherOf3::A(view! {
                <label class="check">
                    <input type="checkbox" name=name checked=matches!(value.as_str(), "true" | "on") />
                    <span>{label}</span>
                </label>
                <p class="hint">{hint}</p>
            }),
            Input::Text => EitherOf3::B(view! { <TextField name multiline=true label hint value error ask /> }),
            Input::Line => EitherOf3::C(view! { <TextField name autocomplete="off" inputmode=inputmode label hint value error ask /> }),
        };
        view! { {input}{link} }
    }).collect_view();
    // A pasted configuration package fills the provider's fields (myPOS offers one).
    let package = provider.package.then(|| {
        let error = field_error(&flash, Field::Package);
        view! {
            <TextField name="provider[package]" multiline=true label=text_of(&provider, "package")
                hint=text_of(&provider, "package_hint") value=String::new() error />
        }
    });
    let unit_label = match unit {
        Unit::Toman => text!(i18n, unit_toman).to_string(),
        Unit::Standard if currency == Currency::IRR => text!(i18n, unit_rial).to_string(),
        Unit::Standard => currency.code().to_owned(),
    };
    let title = match s {
        Some(m) => text!(
            i18n.get_locale_untracked(),
            edit_method,
            name = m.display_name.clone()
        )
        .to_string(),
        None => text!(
            i18n.get_locale_untracked(),
            add_method,
            provider = provider.name.clone()
        )
        .to_string(),
    };
    let id = s.map(|m| m.id.to_string()).unwrap_or_default();
    let kinds = [
        ("none", text!(i18n, discount_none)),
        ("fixed", text!(i18n, discount_fixed)),
        ("percent", text!(i18n, discount_percent)),
    ]
    .map(|(v, label)| view! { <option value=v selected=kind == v>{label.to_string()}</option> });
    // The discount's value is checked as typed for the kind chosen at that moment.
    let kind_now = StoredValue::new(kind.clone());
    let discount_check = super::fields::live_check_within(
        move |value| {
            let kind = kind_now.try_get_value().unwrap_or_default();
            engine::validation::discount(&kind, value, currency, unit)
        },
        percent,
    );
    let notify_url = provider.notify_url.clone().map(|url| view! {
        <div class="copy-row">
            <label class="hint" for="notify-url">{text_of(&provider, "notify_url")}</label>
            <input id="notify-url" class="mono" readonly value=url.clone() />
            <CopyButton text=url label=text!(i18n, copy).to_string() done=text!(i18n, copied).to_string() />
        </div>
    });
    view! {
        <h2>{title}</h2>
        {currency_notice}
        {notify_url}
        {refused.then(|| view! { <Notice text=text!(i18n, form_has_errors).to_string() error=true /> })}
        {unreachable}
        <ServerForm action=save attr:class="stack" attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="kind" value=provider.id.clone() />
            <TextField name="display_name" label=text!(i18n, method_display_name).to_string() value=display_name error=name_error />
            <label class="check">
                <input type="checkbox" name="live" checked=live />
                <span>{text!(i18n, method_live)}</span>
            </label>
            <p class="hint">{text!(i18n, method_live_hint)}</p>
            <TextField name="min_amount" inputmode="decimal" label=format!("{} ({unit_label})", text!(i18n, min_amount)) value=min error=min_error
                check=amount_check(currency, unit) />
            <TextField name="max_amount" inputmode="decimal" label=format!("{} ({unit_label})", text!(i18n, max_amount)) value=max error=max_error
                check=amount_check(currency, unit) />
            <SelectField name="discount_kind" label=text!(i18n, discount).to_string() error=None
                on:change=move |ev| kind_now.set_value(event_target_value(&ev))>{kinds}</SelectField>
            <TextField name="discount_value" inputmode="decimal" label=text!(i18n, discount_value).to_string() hint=text!(i18n, discount_hint).to_string() value error=discount_error
                check=discount_check />
            {package}
            {provider_fields}
            <div class="actions">
                <button type="submit" class="button primary">{text!(i18n, save)}</button>
                <a class="button" href=PATH>{text!(i18n, cancel)}</a>
            </div>
        </ServerForm>
    }
}
