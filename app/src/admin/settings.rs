//! Store settings: name, public slug, currency, rial/toman display, default language,
//! notification e-mail, maintenance mode, and what receipts say about the store (legal name,
//! registration number, address, time zone).

use engine::validation::Field;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::fields::{
    FormPost, Notice, SelectField, ServerForm, StoreBasics, field_error, language_options, typed,
};
use super::{AdminView, Shell};
use crate::components::TextField;
use crate::flash::Flash;
use crate::i18n::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub admin: AdminView,
    pub name: String,
    pub slug: String,
    pub currency: String,
    pub toman_display: bool,
    pub language: String,
    pub notification_email: String,
    pub maintenance: bool,
    pub legal_name: String,
    pub registration_number: String,
    pub address: String,
    pub time_zone: String,
    /// The logo's address, if one was uploaded.
    pub logo: Option<String>,
    pub flash: Option<Flash>,
}

#[server(endpoint = "admin/settings-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_settings() -> Result<SettingsPage, ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let logo = crate::api::store_logo(state.checkout.db(), store.id).await?;
    Ok(SettingsPage {
        logo,
        admin,
        name: store.name,
        slug: store.slug,
        currency: store.currency.code().to_owned(),
        toman_display: store.toman_display,
        language: store.default_lang,
        notification_email: store.notification_email.unwrap_or_default(),
        maintenance: store.maintenance,
        legal_name: store.legal.legal_name.unwrap_or_default(),
        registration_number: store.legal.registration_number.unwrap_or_default(),
        address: store.legal.address.unwrap_or_default(),
        time_zone: store.legal.time_zone,
        flash: crate::flash::take().await,
    })
}

// Checkboxes arrive only when ticked, hence the options.
#[server(endpoint = "admin/settings", output = crate::admin::Postcard)]
pub async fn save_settings(
    name: String,
    slug: String,
    currency: String,
    toman_display: Option<String>,
    language: String,
    notification_email: String,
    maintenance: Option<String>,
    legal_name: String,
    registration_number: String,
    address: String,
    time_zone: String,
) -> Result<(), ServerFnError> {
    use engine::settings::{self, Saved, SettingsError, SettingsForm};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let form = SettingsForm {
        name,
        slug,
        currency,
        toman_display: toman_display.is_some(),
        language,
        notification_email,
        maintenance: maintenance.is_some(),
        legal_name,
        registration_number,
        address,
        time_zone,
    };
    let flash = match settings::save(state.checkout.db(), user.store_id, &form).await {
        // What a currency change set aside rides along, for the page to tell.
        Ok(Saved {
            store,
            currency_change: Some(change),
        }) => Flash {
            values: vec![
                ("currency".into(), store.currency.code().to_owned()),
                ("methods_off".into(), change.methods_off.join(", ")),
                ("links_off".into(), change.links_off.to_string()),
            ],
            notice: Some("currency_changed".into()),
            ..Flash::default()
        },
        Ok(_) => Flash::notice("saved"),
        Err(SettingsError::Invalid(errors)) => Flash {
            values: vec![
                ("name".into(), form.name),
                ("slug".into(), form.slug),
                ("currency".into(), form.currency),
                ("toman_display".into(), flag(form.toman_display)),
                ("language".into(), form.language),
                ("notification_email".into(), form.notification_email),
                ("maintenance".into(), flag(form.maintenance)),
                ("legal_name".into(), form.legal_name),
                ("registration_number".into(), form.registration_number),
                ("address".into(), form.address),
                ("time_zone".into(), form.time_zone),
            ],
            errors: errors.encode(),
            notice: None,
        },
        Err(other) => return Err(crate::api::internal(other)),
    };
    crate::flash::put(&flash);
    crate::session::redirect_to("/admin/settings");
    Ok(())
}

#[cfg(feature = "ssr")]
fn flag(on: bool) -> String {
    if on { "on" } else { "" }.to_owned()
}

#[component]
pub fn StoreSettings() -> impl IntoView {
    let i18n = use_i18n();
    let page = super::page_data(|_| load_settings());
    let action = FormPost::<SaveSettings>::new();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let flash = page.flash.clone();
                    let text = |key: &str, saved: &str| typed(&flash, key, saved);
                    // A refused form comes back as typed; after a save, the saved settings.
                    let refused = flash.as_ref().is_some_and(|f| !f.errors().is_empty());
                    let checked = |key: &str, saved: bool| match flash.as_ref().filter(|_| refused) {
                        Some(f) => f.value(key).is_some_and(|v| !v.is_empty()),
                        None => saved,
                    };
                    let (name, slug) = (text("name", &page.name), text("slug", &page.slug));
                    let (currency, language) = (text("currency", &page.currency), text("language", &page.language));
                    let email = text("notification_email", &page.notification_email);
                    let toman = checked("toman_display", page.toman_display);
                    let maintenance = checked("maintenance", page.maintenance);
                    let errors = [Field::StoreName, Field::Slug, Field::Currency, Field::Language, Field::Email]
                        .map(|field| field_error(&flash, field));
                    let [name_error, slug_error, currency_error, language_error, email_error] = errors;
                    let legal = ReceiptDetails {
                        legal_name: text("legal_name", &page.legal_name),
                        registration_number: text("registration_number", &page.registration_number),
                        address: text("address", &page.address),
                        time_zone: text("time_zone", &page.time_zone),
                        errors: [Field::LegalName, Field::RegistrationNumber, Field::Address, Field::TimeZone]
                            .map(|field| field_error(&flash, field)),
                    };
                    let saved = flash.as_ref().is_some_and(|f| f.notice.as_deref() == Some("saved"));
                    let currency_changed = flash.as_ref().filter(|f| f.notice.as_deref() == Some("currency_changed")).map(|f| {
                        let value = |key: &str| f.value(key).unwrap_or_default();
                        let methods = match value("methods_off") {
                            none if none.is_empty() => text!(i18n, none).to_string(),
                            names => names,
                        };
                        let links = engine::digits::localize(&value("links_off"), crate::components::lang());
                        text!(i18n.get_locale_untracked(), currency_changed, currency = value("currency"), methods, links).to_string()
                    });
                    view! {
                        <Shell admin=page.admin.clone() title=text!(i18n, nav_settings).to_string()>
                            {saved.then(|| view! { <Notice text=text!(i18n, settings_saved).to_string() /> })}
                            {currency_changed.map(|text| view! { <Notice text lasting=true /> })}
                            {refused.then(|| view! { <Notice text=text!(i18n, form_has_errors).to_string() error=true /> })}
                            <ServerForm action=action attr:class="stack" attr:novalidate=true>
                                <StoreBasics name_input="name" name slug currency name_error slug_error currency_error />
                                <label class="check">
                                    <input type="checkbox" name="toman_display" checked=toman />
                                    <span>{text!(i18n, toman_display)}</span>
                                </label>
                                <p class="hint">{text!(i18n, toman_hint)}</p>
                                <SelectField name="language" label=text!(i18n, default_language).to_string()
                                    error=language_error>
                                    {language_options(&language)}
                                </SelectField>
                                <TextField name="notification_email" kind="email" autocomplete="email"
                                    label=text!(i18n, notification_email).to_string()
                                    hint=text!(i18n, notification_hint).to_string()
                                    value=email error=email_error />
                                <label class="check">
                                    <input type="checkbox" name="maintenance" checked=maintenance />
                                    <span>{text!(i18n, maintenance)}</span>
                                </label>
                                <p class="hint">{text!(i18n, maintenance_hint)}</p>
                                {legal.view()}
                                <button type="submit" class="button primary">{text!(i18n, save)}</button>
                            </ServerForm>
                            <super::logos::LogoForm name=engine::images::ImageName::Store current=page.logo.clone() flash=flash.clone() />
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}

/// The settings that receipts show, as typed or saved, and their errors (in the order of
/// their fields).
struct ReceiptDetails {
    legal_name: String,
    registration_number: String,
    address: String,
    time_zone: String,
    errors: [Option<String>; 4],
}

impl ReceiptDetails {
    fn view(self) -> impl IntoView {
        let i18n = use_i18n();
        let [name_error, number_error, address_error, zone_error] = self.errors;
        let zones = engine::zones::OFFERED
            .iter()
            .map(|zone| view! { <option value=*zone selected=self.time_zone == *zone>{*zone}</option> })
            .collect_view();
        view! {
            <fieldset class="stack">
                <legend>{text!(i18n, receipt_details)}</legend>
                <p class="hint">{text!(i18n, receipt_details_hint)}</p>
                <TextField name="legal_name" autocomplete="organization"
                    label=text!(i18n, legal_name).to_string() value=self.legal_name error=name_error />
                <TextField name="registration_number"
                    label=text!(i18n, registration_number).to_string() value=self.registration_number error=number_error />
                <TextField name="address" autocomplete="street-address"
                    label=text!(i18n, business_address).to_string() value=self.address error=address_error />
                <SelectField name="time_zone" label=text!(i18n, time_zone).to_string() error=zone_error>
                    {zones}
                </SelectField>
            </fieldset>
        }
    }
}
