//! The OpenPay page: a payment link's form, prefilled from the query string
//! (`receivername`, `description`, `price`), with an online gateway or a bank slip.

use engine::money::{amount_input_value, parse_amount};
use engine::validation::{Field, FieldErrors, Problem};
use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

use engine::links::LinkProblem;

use crate::api::{CheckoutPage, StoreView, SubmitCheckout, load_checkout};
use crate::components::{self, TextField, money_text, unit_name};
use crate::i18n::*;

#[component]
pub fn OpenPay() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let location = use_location();
    let store = params.read_untracked().get("store");
    let search = location.search.get_untracked();
    let page = load_checkout(store, search.trim_start_matches('?').to_owned());
    // Rendered once, on the server (customer pages do not hydrate): a plain `Suspend`, not a
    // resource read in a reactive closure, which Leptos would run twice (once to look for
    // resources, once to render), building the whole form each time.
    view! {
        <Suspense>
            {Suspend::new(async move {
                match page.await {
                    Ok(Some(page)) if page.store.maintenance => EitherOf4::A(view! { <Paused store=page.store /> }.into_any()),
                    Ok(Some(page)) => EitherOf4::B(match page.link_problem {
                        Some(problem) => view! { <LinkRefused problem store=page.store /> }.into_any(),
                        None => view! { <PaymentForm page /> }.into_any(),
                    }),
                    Ok(None) => EitherOf4::C({
                        super::not_found_status();
                        view! {
                            <Title text=text!(i18n, unknown_store_title).to_string() />
                            <section class="card">
                                <h1>{t!(i18n, unknown_store_title)}</h1>
                                <p>{t!(i18n, unknown_store_body)}</p>
                            </section>
                        }
                    }),
                    Err(e) => EitherOf4::D(view! { <p class="error">{e.to_string()}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Paused(store: StoreView) -> impl IntoView {
    let i18n = use_i18n();
    let name = store.name.clone();
    view! {
        <Title text=text!(i18n, maintenance_title).to_string() />
        <section class="card notice" role="status">
            <h1>{t!(i18n, maintenance_title)}</h1>
            <p>{text!(i18n.get_locale_untracked(), maintenance_body, store = name)}</p>
        </section>
    }
}

/// A link that takes no payment: changed, expired, used up or unknown. Says why and what to do.
#[component]
fn LinkRefused(problem: LinkProblem, store: StoreView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let (title, body) = match problem {
        LinkProblem::Tampered => (
            text!(locale, link_tampered_title),
            text!(locale, link_tampered_body),
        ),
        LinkProblem::Expired => (
            text!(locale, link_expired_title),
            text!(locale, link_expired_body),
        ),
        LinkProblem::UsedUp => (
            text!(locale, link_used_up_title),
            text!(locale, link_used_up_body),
        ),
        LinkProblem::Unknown => (
            text!(locale, link_unknown_title),
            text!(locale, link_unknown_body),
        ),
        LinkProblem::OtherCurrency => (
            text!(locale, link_other_currency_title),
            text!(locale, link_other_currency_body),
        ),
    };
    // The status says it too: no such link, a link that was changed, one that is over.
    super::refusal_status(match problem {
        LinkProblem::Unknown => 404,
        LinkProblem::Tampered => 400,
        LinkProblem::Expired | LinkProblem::UsedUp | LinkProblem::OtherCurrency => 410,
    });
    view! {
        <Title text=title.to_string() />
        <section class="card notice" role="alert" data-testid="link-refused" data-problem=problem.as_str()>
            <h1>{title.to_string()}</h1>
            <p>{body.to_string()}</p>
            <p class="muted">{text!(locale, link_contact_store, store = store.name.clone()).to_string()}</p>
        </section>
    }
}

/// The message shown beside a field.
fn problem_text(field: Field, problem: Problem, store: &StoreView) -> String {
    let locale = use_i18n().get_locale_untracked();
    match (field, problem) {
        (Field::Mobile, Problem::Invalid) => text!(locale, err_mobile_invalid).to_string(),
        (Field::Method, Problem::Required) => text!(locale, err_choose_method).to_string(),
        (_, problem) => {
            components::problem_text(problem, |n| money_text(n, store.currency, store.unit))
        }
    }
}

#[component]
fn PaymentForm(page: CheckoutPage) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let submit = ServerAction::<SubmitCheckout>::new();
    let CheckoutPage {
        store,
        methods,
        accounts,
        form_key,
        draft,
        link,
        link_problem: _,
        method_logos,
    } = page;
    let logo = store.logo.clone();
    // A signed link's terms are fixed: shown, not editable (the server uses its stored ones).
    let stored_link = link.as_ref().map(|(l, _)| l.clone());
    let signed = stored_link.clone().filter(|l| l.signed);
    let (link_token, link_sig) = match &link {
        Some((l, sig)) => (l.token.clone(), sig.clone().unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let limits = link.as_ref().map(|(l, _)| (l.min_amount, l.max_amount));
    // A refused submission comes back as a draft; a fresh link prefills from its query.
    let draft: Option<Vec<(String, String)>> =
        draft.map(|d| serde_urlencoded::from_str(&d).unwrap_or_default());
    let title = store.name.clone();
    let form = {
        let q = query.read_untracked();
        let value = |name: &str| match &draft {
            Some(pairs) => pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            None => q.get(name).unwrap_or_default(),
        };
        let errors = FieldErrors::decode(&value("err"));
        let error = |field: Field| errors.get(field).map(|p| problem_text(field, p, &store));
        let field =
            |name: &'static str, label: String, f: Field| (name, label, value(name), error(f));
        let details = [
            field("receivername", text!(i18n, payer_name).to_string(), Field::Name),
            field("mobile", text!(i18n, mobile).to_string(), Field::Mobile),
            field("phone", text!(i18n, phone).to_string(), Field::Phone),
            field("email", text!(i18n, email).to_string(), Field::Email),
            field("description", text!(i18n, description).to_string(), Field::Description),
        ]
        .into_iter()
        .filter(|(name, ..)| !(*name == "description" && signed.is_some()))
        .map(|(name, label, value, error)| {
            let (kind, autocomplete, hint) = match name {
                "receivername" => ("text", Some("name"), None),
                "mobile" => ("tel", Some("tel"), Some(text!(i18n, mobile_hint).to_string())),
                "phone" => ("tel", None, None),
                "email" => ("email", Some("email"), None),
                _ => ("text", None, None),
            };
            view! { <TextField name label value error kind autocomplete=autocomplete.unwrap_or("off") hint=hint.unwrap_or_default() /> }
        })
        .collect_view();
        // A stored link's amount is its own (minor units, whatever the store displays now);
        // an address without a link fixes its price unless the store lets customers choose.
        let stored = stored_link.as_ref().and_then(|l| l.amount);
        let price = match stored {
            Some(minor) => amount_input_value(minor, store.currency, store.unit),
            None => value("price"),
        };
        let fixed_price = match &stored_link {
            Some(link) => link.held_amount(store.custom_amounts),
            None => (!price.is_empty() && !store.custom_amounts)
                .then(|| parse_amount(&price, store.currency, store.unit).ok())
                .flatten(),
        };
        let fixed_description = signed
            .as_ref()
            .and_then(|l| l.description.clone())
            .map(|d| {
                view! {
                    <div class="field">
                        <span class="label">{t!(i18n, description)}</span>
                        <p class="fixed" data-testid="description">{d}</p>
                    </div>
                }
            });
        let range = limits
            .and_then(|(min, max)| components::range_text(min, max, store.currency, store.unit));
        let amount_error = error(Field::Amount);
        let amount_field = match fixed_price {
            Some(minor) => view! {
                <div class="field amount-fixed">
                    <input type="hidden" name="price" value=price.clone() />
                    <span class="label">{t!(i18n, amount_to_pay)}</span>
                    <strong class="amount" data-testid="amount">{money_text(minor, store.currency, store.unit)}</strong>
                    {amount_error.map(|e| view! { <p class="error" id="err-amount">{e}</p> })}
                </div>
            }
            .into_any(),
            None => {
                let typed = value("amount");
                let label = format!("{} ({})", text!(i18n, amount), unit_name(store.currency, store.unit));
                let value = if typed.is_empty() { price.clone() } else { typed };
                view! { <TextField name="amount" label value error=amount_error inputmode="decimal" hint=range.clone().unwrap_or_default() /> }.into_any()
            }
        };
        let chosen = match value("pay_with") {
            m if m.is_empty() => methods
                .first()
                .map(|m| format!("gateway:{}", m.id))
                .unwrap_or_default(),
            m => m,
        };
        let gateways = if methods.is_empty() {
            view! { <p class="muted">{t!(i18n, no_gateways)}</p> }.into_any()
        } else {
            methods
                .iter()
                .map(|m| {
                    let v = format!("gateway:{}", m.id);
                    let checked = chosen == v;
                    let discount = m.discount.map(|d| {
                        let off = components::discount_text(d, store.currency, store.unit);
                        text!(i18n.get_locale_untracked(), discount_off, discount = off)
                            .to_string()
                    });
                    view! {
                        <label class="choice">
                            <input type="radio" name="pay_with" value=v checked=checked />
                            {method_logos.iter().find(|(id, _)| *id == m.id).map(|(_, src)| view! { <img class="method-logo" src=src.clone() alt="" /> })}
                            <span>{m.display_name.clone()}</span>
                            {discount.map(|d| view! { <span class="badge">{d}</span> })}
                        </label>
                    }
                })
                .collect_view()
                .into_any()
        };
        let chosen_account = value("bank_account");
        let account_error = error(Field::BankAccount);
        let account_invalid = account_error.is_some();
        let account_field = if accounts.is_empty() {
            view! { <p class="muted">{t!(i18n, no_accounts)}</p> }.into_any()
        } else {
            let options = accounts
                .iter()
                .map(|a| {
                    let id = a.id.to_string();
                    let selected = chosen_account == id;
                    let number = a.iban.clone().unwrap_or_else(|| a.account_number.clone());
                    let label = format!("{} · {} · {number}", a.bank_name, a.holder);
                    view! { <option value=id selected=selected>{label}</option> }
                })
                .collect_view();
            view! {
                <div class="field" class:invalid=account_invalid>
                    <label for="bank_account">{t!(i18n, bank_account)}</label>
                    <select id="bank_account" name="bank_account" aria-invalid=account_invalid.then_some("true")>
                        {options}
                    </select>
                    {account_error.map(|e| view! { <p class="error">{e}</p> })}
                </div>
            }
            .into_any()
        };
        let slip_checked = chosen == "slip";
        let method_error = error(Field::Method);
        let (slip_number, slip_number_error) = (value("slip_number"), error(Field::SlipNumber));
        let (slip_date, slip_date_error) = (value("slip_date"), error(Field::SlipDate));
        let has_errors = !errors.is_empty();
        let (slug, key) = (store.slug.clone(), form_key.clone());
        let (link_token, link_sig) = (link_token.clone(), link_sig.clone());
        view! {
            <ActionForm action=submit attr:class="checkout" attr:novalidate=true>
                <input type="hidden" name="store" value=slug />
                <input type="hidden" name="key" value=key />
                {(!link_token.is_empty()).then(|| view! { <input type="hidden" name="link" value=link_token /> })}
                {(!link_sig.is_empty()).then(|| view! { <input type="hidden" name="sig" value=link_sig /> })}
                {has_errors.then(|| view! { <p class="form-error" role="alert">{t!(i18n, form_has_errors)}</p> })}
                <fieldset>
                    <legend>{t!(i18n, your_details)}</legend>
                    {details}
                    {fixed_description.clone()}
                    {amount_field}
                </fieldset>
                <fieldset class="methods">
                    <legend>{t!(i18n, how_to_pay)}</legend>
                    {method_error.map(|e| view! { <p class="error" id="err-method">{e}</p> })}
                    <p class="group-title">{t!(i18n, pay_online)}</p>
                    {gateways}
                    <p class="group-title">{t!(i18n, pay_slip)}</p>
                    <label class="choice">
                        <input type="radio" name="pay_with" value="slip" checked=slip_checked />
                        <span>{t!(i18n, pay_slip)}</span>
                    </label>
                    <div class="slip">
                        {account_field}
                        <TextField name="slip_number" label=text!(i18n, slip_number).to_string() value=slip_number error=slip_number_error inputmode="numeric" />
                        <TextField name="slip_date" label=text!(i18n, slip_date).to_string() value=slip_date error=slip_date_error kind="date" />
                    </div>
                </fieldset>
                <button type="submit" class="button primary">{t!(i18n, submit)}</button>
            </ActionForm>
        }
    };
    view! {
        <Title text=title.clone() />
        <section class="card">
            {logo.map(|src| view! { <img class="store-logo" src=src alt=title.clone() /> })}
            <h1>{text!(i18n.get_locale_untracked(), pay_to, store = title.clone())}</h1>
            {form}
        </section>
    }
}
