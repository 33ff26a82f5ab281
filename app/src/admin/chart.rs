//! The payments report's bar chart of paid amounts per day. The bars are drawn in SVG; over
//! them lies a list with one item per day holding its text (day, payments, amount), which a
//! pointer over a bar or the keyboard's focus shows beside it. The list is one stop of the tab
//! order: the arrow keys, Home and End move along the days (a roving `tabindex`). SVG bars
//! because the page's CSP admits no `style` attribute to size HTML ones.

use engine::money::{Currency, Unit};
use engine::report::DayTotal;
use leptos::prelude::*;

use super::any_sync::IntoAnySync;

use crate::components::{day_text, money_text};
use crate::i18n::*;

#[component]
pub fn Chart(days: Vec<DayTotal>, currency: Currency, unit: Unit) -> impl IntoView {
    let i18n = use_i18n();
    let (Some(first), Some(last)) = (days.first().copied(), days.last().copied()) else {
        return ().into_any_sync();
    };
    let max = days.iter().map(|d| d.amount).max().unwrap_or(0).max(1);
    let lang = crate::components::lang();
    let (width, height) = (days.len() as i64 * 10, 100_i64);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = if d.amount == 0 { 0 } else { (d.amount * 96 / max).max(2) };
            view! {
                <rect x=(i as i64 * 10 + 1).to_string() y=(height - h).to_string() width="8" height=h.to_string() />
            }
        })
        .collect_view();
    // The second half's texts open towards the start, so that none runs off the chart.
    let half = days.len() / 2;
    let texts = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let text = format!(
                "{}: {} · {}",
                day_text(d.day, lang),
                engine::digits::localize(&d.count.to_string(), lang),
                money_text(d.amount, currency, unit)
            );
            let stop = if i + 1 == days.len() { "0" } else { "-1" };
            view! {
                <li tabindex=stop class:late={i >= half}><span class="tip" dir="auto">{text}</span></li>
            }
        })
        .collect_view();
    let caption = text!(
        i18n.get_locale_untracked(),
        chart_caption,
        from = day_text(first.day, lang),
        to = day_text(last.day, lang),
        max = money_text(max, currency, unit)
    )
    .to_string();
    // Days run left to right in every language, as the bars do.
    view! {
        <figure class="chart">
            <div class="plot">
                <svg viewBox=format!("0 0 {width} {height}") preserveAspectRatio="none" aria-hidden="true">
                    {bars}
                </svg>
                <ol class="days" dir="ltr" aria-label=caption.clone() data-testid="chart-days" on:keydown=step>
                    {texts}
                </ol>
            </div>
            <figcaption class="muted">{caption}</figcaption>
        </figure>
    }
    .into_any_sync()
}

/// Moves the focus to the day an arrow key, Home or End names, and the tab stop with it.
#[cfg(feature = "hydrate")]
fn step(event: leptos::ev::KeyboardEvent) {
    use wasm_bindgen::JsCast;

    let Some(day) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Some(days) = day.parent_element() else {
        return;
    };
    let next = match event.key().as_str() {
        "ArrowRight" => day.next_element_sibling(),
        "ArrowLeft" => day.previous_element_sibling(),
        "Home" => days.first_element_child(),
        "End" => days.last_element_child(),
        _ => return,
    };
    event.prevent_default();
    let Some(next) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return;
    };
    let _ = day.set_attribute("tabindex", "-1");
    let _ = next.set_attribute("tabindex", "0");
    let _ = next.focus();
}

/// On the server the list is inert: the browser's copy moves the focus.
#[cfg(not(feature = "hydrate"))]
fn step(_: leptos::ev::KeyboardEvent) {}
