//! Bank accounts: the accounts customers pay into with a bank slip (the active ones appear in
//! the checkout's slip choice), and the merchant account providers settle into.

use engine::public::ManagedAccount;
use engine::validation::Field;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::any_sync::IntoAnySync;
use super::fields::{FormPost, Notice, ServerForm, field_error, live_check, typed};
use super::{AdminView, Shell};
use crate::components::TextField;
use crate::flash::Flash;
use crate::i18n::*;

pub const PATH: &str = "/admin/bank-accounts";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BankAccountsPage {
    pub admin: AdminView,
    pub accounts: Vec<ManagedAccount>,
    pub flash: Option<Flash>,
}

#[server(endpoint = "admin/bank-accounts-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_bank_accounts() -> Result<BankAccountsPage, ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (store, admin) = super::admin_view(&state, &user).await?;
    let accounts = engine::db::bank_accounts::list_all(state.checkout.db(), store.id)
        .await
        .map_err(crate::api::internal)?;
    Ok(BankAccountsPage {
        admin,
        accounts,
        flash: crate::flash::take().await,
    })
}

/// Adds an account (`id` empty) or saves one of the store's accounts.
#[server(endpoint = "admin/bank-account", output = crate::admin::Postcard)]
pub async fn save_bank_account(
    id: String,
    bank_name: String,
    holder: String,
    account_number: String,
    iban: String,
    card_number: String,
    merchant_account: Option<String>,
) -> Result<(), ServerFnError> {
    use engine::settings::SettingsError;
    use engine::settings::bank_accounts::{self, AccountForm};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let db = state.checkout.db();
    let form = AccountForm {
        bank_name,
        holder,
        account_number,
        iban,
        card_number,
        merchant_account: merchant_account.is_some(),
    };
    let result = match id.trim() {
        "" => bank_accounts::add(db, user.store_id, &form)
            .await
            .map(|_| true),
        id => match id.parse::<i64>() {
            Ok(id) => bank_accounts::edit(db, user.store_id, id, &form).await,
            Err(_) => Ok(false),
        },
    };
    let (flash, target) = match result {
        Ok(true) => (Flash::notice("saved"), PATH.to_owned()),
        Ok(false) => (Flash::notice("missing"), PATH.to_owned()),
        Err(SettingsError::Invalid(errors)) => (
            Flash {
                values: vec![
                    ("bank_name".into(), form.bank_name),
                    ("holder".into(), form.holder),
                    ("account_number".into(), form.account_number),
                    ("iban".into(), form.iban),
                    ("card_number".into(), form.card_number),
                    (
                        "merchant_account".into(),
                        if form.merchant_account { "on" } else { "" }.into(),
                    ),
                ],
                errors: errors.encode(),
                notice: None,
            },
            if id.trim().is_empty() {
                PATH.to_owned()
            } else {
                format!("{PATH}?edit={}", id.trim())
            },
        ),
        Err(other) => return Err(crate::api::internal(other)),
    };
    crate::flash::put(&flash);
    crate::session::redirect_to(&target);
    Ok(())
}

/// Switches one of the store's accounts on (`active=1`) or off.
#[server(endpoint = "admin/bank-account-active", output = crate::admin::Postcard)]
pub async fn set_bank_account_active(id: String, active: String) -> Result<(), ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let found = match id.parse::<i64>() {
        Ok(id) => engine::db::bank_accounts::set_active(
            state.checkout.db(),
            user.store_id,
            id,
            active == "1",
        )
        .await
        .map_err(crate::api::internal)?,
        Err(_) => false,
    };
    crate::flash::put(&Flash::notice(if found { "saved" } else { "missing" }));
    crate::session::redirect_to(PATH);
    Ok(())
}

#[component]
pub fn BankAccounts() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = super::page_data(|_| load_bank_accounts());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|page| {
                    let editing = query.read_untracked().get("edit").and_then(|id| id.parse::<i64>().ok());
                    let edited = editing.and_then(|id| page.accounts.iter().find(|a| a.account.id == id).cloned());
                    let notice = page.flash.as_ref().and_then(|f| f.notice.clone()).map(|n| match n.as_str() {
                        "saved" => view! { <Notice text=text!(i18n, account_saved).to_string() /> }.into_any_sync(),
                        _ => view! { <Notice text=text!(i18n, account_missing).to_string() error=true /> }.into_any_sync(),
                    });
                    let list = if page.accounts.is_empty() {
                        view! { <p class="muted">{text!(i18n, no_bank_accounts)}</p> }.into_any_sync()
                    } else {
                        let rows = page.accounts.iter().cloned().map(|a| view! { <AccountRow a /> }).collect_view();
                        view! { <ul class="items">{rows}</ul> }.into_any_sync()
                    };
                    view! {
                        <Shell admin=page.admin.clone() title=text!(i18n, nav_bank_accounts).to_string()>
                            {notice}
                            <p class="hint">{text!(i18n, accounts_hint)}</p>
                            {list}
                            <AccountForm flash=page.flash.clone() edited />
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}

#[component]
fn AccountRow(a: ManagedAccount) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = FormPost::<SetBankAccountActive>::new();
    let ManagedAccount {
        account,
        active,
        merchant_account,
    } = a;
    let numbers = [
        Some(account.account_number.clone()),
        account.iban.clone(),
        account.card_number.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let (next, button) = if active {
        ("0", text!(i18n, deactivate).to_string())
    } else {
        ("1", text!(i18n, activate).to_string())
    };
    let status = if active {
        text!(i18n, active)
    } else {
        text!(i18n, inactive)
    }
    .to_string();
    view! {
        <li class="item" class:inactive=!active>
            <div>
                <strong>{account.bank_name.clone()}</strong>" · "{account.holder.clone()}
                <p class="mono">{numbers}</p>
                <p class="muted">
                    {status}
                    {merchant_account.then(|| view! { " · "{text!(i18n, merchant_badge)} })}
                </p>
            </div>
            <div class="item-actions">
                <a class="button" href=format!("{PATH}?edit={}", account.id)>{text!(i18n, edit)}</a>
                <ServerForm action=toggle>
                    <input type="hidden" name="id" value=account.id.to_string() />
                    <input type="hidden" name="active" value=next />
                    <button type="submit" class="button">{button}</button>
                </ServerForm>
            </div>
        </li>
    }
}

#[component]
fn AccountForm(flash: Option<Flash>, edited: Option<ManagedAccount>) -> impl IntoView {
    let i18n = use_i18n();
    let save = FormPost::<SaveBankAccount>::new();
    let saved = edited.as_ref();
    let value =
        |name: &str, stored: Option<String>| typed(&flash, name, stored.unwrap_or_default());
    let bank_name = value("bank_name", saved.map(|a| a.account.bank_name.clone()));
    let holder = value("holder", saved.map(|a| a.account.holder.clone()));
    let account_number = value(
        "account_number",
        saved.map(|a| a.account.account_number.clone()),
    );
    let iban = value("iban", saved.and_then(|a| a.account.iban.clone()));
    let card_number = value(
        "card_number",
        saved.and_then(|a| a.account.card_number.clone()),
    );
    let merchant = flash
        .as_ref()
        .and_then(|f| f.value("merchant_account"))
        .map_or(saved.is_some_and(|a| a.merchant_account), |v| !v.is_empty());
    let errors = [
        Field::BankName,
        Field::Holder,
        Field::AccountNumber,
        Field::Iban,
        Field::CardNumber,
    ]
    .map(|field| field_error(&flash, field));
    let [
        bank_name_error,
        holder_error,
        number_error,
        iban_error,
        card_error,
    ] = errors;
    let id = saved.map(|a| a.account.id.to_string()).unwrap_or_default();
    let editing = saved.is_some();
    let title = if editing {
        text!(i18n, edit_account)
    } else {
        text!(i18n, add_account)
    }
    .to_string();
    view! {
        <h2 id="account-form">{title}</h2>
        <ServerForm action=save attr:class="stack" attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <TextField name="bank_name" label=text!(i18n, bank_name).to_string() value=bank_name error=bank_name_error />
            <TextField name="holder" autocomplete="name" label=text!(i18n, account_holder).to_string() value=holder error=holder_error />
            <TextField name="account_number" label=text!(i18n, account_number).to_string() value=account_number error=number_error
                check=live_check(engine::bank::account_number) />
            <TextField name="iban" label=text!(i18n, iban).to_string() value=iban error=iban_error check=live_check(engine::bank::optional_iban) />
            <TextField name="card_number" inputmode="numeric" label=text!(i18n, card_number).to_string() value=card_number error=card_error
                check=live_check(engine::bank::optional_card_number) />
            <label class="check">
                <input type="checkbox" name="merchant_account" checked=merchant />
                <span>{text!(i18n, merchant_account)}</span>
            </label>
            <div class="actions">
                <button type="submit" class="button primary">{text!(i18n, save)}</button>
                {editing.then(|| view! { <a class="button" href=PATH>{text!(i18n, cancel)}</a> })}
            </div>
        </ServerForm>
    }
}
