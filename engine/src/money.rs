//! Money is an integer count of minor units plus an ISO 4217 currency; never a float.
//! Parsing accepts what customers type (Persian digits, thousands separators, toman for IRR)
//! and formatting shows amounts the way each language writes them.

use serde::{Deserialize, Serialize};

use crate::digits;

/// The largest amount, in minor units, that any form accepts: anything above is a typo.
pub const MAX_MINOR: i64 = 10_000_000_000_000;

/// ISO 4217 currencies Kassa's providers settle in, with their minor-unit exponents.
const CURRENCIES: &[(&str, u32)] = &[
    ("IRR", 0),
    ("ILS", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("BGN", 2),
    ("RON", 2),
    ("CHF", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("JPY", 0),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    pub const IRR: Currency = Currency {
        code: "IRR",
        exponent: 0,
    };

    /// Looks up an ISO 4217 code (case-insensitive) among the supported currencies.
    pub fn parse(code: &str) -> Option<Currency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
            .map(|&(code, exponent)| Currency { code, exponent })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Every supported currency, for a merchant to choose from.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, exponent)| Currency { code, exponent })
    }

    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

// Written by hand: serde's derive would tie the `&'static str` field to the input's lifetime.
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unsupported currency {code}")))
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code.to_owned()
    }
}

/// How an amount is shown and typed. Stored amounts are always in the currency's minor unit;
/// `Toman` (ten rials) only changes what IRR customers see and type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Standard,
    Toman,
}

impl Unit {
    /// The unit a store's display setting selects for `currency` (toman only applies to IRR).
    pub fn for_store(currency: Currency, toman_display: bool) -> Unit {
        if toman_display && currency == Currency::IRR {
            Unit::Toman
        } else {
            Unit::Standard
        }
    }

    /// Decimal places the customer may type in this unit, and minor units per displayed unit.
    fn scale(self, currency: Currency) -> (u32, i64) {
        match self {
            // One toman is ten rials, so a toman amount may carry one decimal (half a toman).
            Unit::Toman => (1, 10),
            Unit::Standard => (currency.exponent(), 10_i64.pow(currency.exponent())),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("the amount is empty")]
    Empty,
    #[error("the amount is not a number")]
    NotANumber,
    #[error("the amount is negative")]
    Negative,
    #[error("the amount is zero")]
    Zero,
    #[error("the amount has more decimals than the currency allows")]
    TooPrecise,
    #[error("the amount is too large")]
    TooLarge,
}

const GROUP_SEPARATORS: &[char] = &['٬', '\'', ' ', '\u{a0}', '\u{202f}', '_', '،'];

/// Parses a customer's amount into minor units of `currency`, read in `unit`.
///
/// `1,200`, `1 200`, `۱۲۰٬۰۰۰` and `1.200,50` are all understood: when both `.` and `,` appear
/// the last one is the decimal separator, and a lone `,` is a thousands separator only when
/// every group after it has three digits.
pub fn parse_amount(input: &str, currency: Currency, unit: Unit) -> Result<i64, AmountError> {
    let ascii = digits::to_ascii(input.trim()).replace('٫', ".");
    if ascii.is_empty() {
        return Err(AmountError::Empty);
    }
    if ascii.starts_with(['-', '−']) {
        return Err(AmountError::Negative);
    }
    let cleaned: String = ascii
        .chars()
        .filter(|c| !GROUP_SEPARATORS.contains(c))
        .collect();
    let (int_part, frac_part) = split_decimal(&cleaned);
    let int_digits: String = int_part.chars().filter(|&c| c != ',' && c != '.').collect();
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err(AmountError::NotANumber);
    }
    if !int_digits
        .chars()
        .chain(frac_part.chars())
        .all(|c| c.is_ascii_digit())
    {
        return Err(AmountError::NotANumber);
    }
    let (decimals, per_unit) = unit.scale(currency);
    let frac_trimmed = frac_part.trim_end_matches('0');
    if frac_trimmed.len() > decimals as usize {
        return Err(AmountError::TooPrecise);
    }
    let whole: i64 = if int_digits.is_empty() {
        0
    } else if int_digits.len() > 16 {
        return Err(AmountError::TooLarge);
    } else {
        int_digits.parse().map_err(|_| AmountError::TooLarge)?
    };
    let frac_minor = if frac_trimmed.is_empty() {
        0
    } else {
        let padded = format!("{frac_trimmed:0<width$}", width = decimals as usize);
        padded.parse::<i64>().map_err(|_| AmountError::NotANumber)? * per_unit
            / 10_i64.pow(decimals)
    };
    let minor = whole
        .checked_mul(per_unit)
        .and_then(|m| m.checked_add(frac_minor))
        .ok_or(AmountError::TooLarge)?;
    match minor {
        0 => Err(AmountError::Zero),
        m if m > MAX_MINOR => Err(AmountError::TooLarge),
        m => Ok(m),
    }
}

/// Splits at the decimal separator, if there is one (see [`parse_amount`]).
fn split_decimal(s: &str) -> (&str, &str) {
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    let at = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(d), None) => {
            // Several dots can only be thousands separators ("1.200.000").
            if s.matches('.').count() > 1 {
                None
            } else {
                Some(d)
            }
        }
        (None, Some(c)) => {
            let groups_of_three = s.split(',').skip(1).all(|g| g.len() == 3);
            if groups_of_three { None } else { Some(c) }
        }
        (None, None) => None,
    };
    match at {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

/// Separators and digits of one language.
struct NumberStyle {
    group: &'static str,
    decimal: &'static str,
}

impl NumberStyle {
    fn for_lang(lang: &str) -> NumberStyle {
        match lang {
            "fa" => NumberStyle {
                group: "٬",
                decimal: "٫",
            },
            "el" => NumberStyle {
                group: ".",
                decimal: ",",
            },
            "lv" => NumberStyle {
                group: "\u{a0}",
                decimal: ",",
            },
            _ => NumberStyle {
                group: ",",
                decimal: ".",
            },
        }
    }
}

/// Formats minor units as the number a reader of `lang` expects, in `unit` (no currency sign:
/// the page's translations name the unit).
pub fn format_amount(minor: i64, currency: Currency, unit: Unit, lang: &str) -> String {
    let style = NumberStyle::for_lang(lang);
    let (decimals, per_unit) = unit.scale(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let per_unit = per_unit as u64;
    let whole = (abs / per_unit).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push_str(style.group);
        }
        grouped.push(ch);
    }
    let frac = abs % per_unit;
    // Toman amounts show a decimal only for a half-toman; currencies with cents always show them.
    let show_frac = match unit {
        Unit::Toman => frac != 0,
        Unit::Standard => decimals > 0,
    };
    let text = if show_frac {
        let digits = frac * 10_u64.pow(decimals) / per_unit;
        format!(
            "{sign}{grouped}{}{digits:0width$}",
            style.decimal,
            width = decimals as usize
        )
    } else {
        format!("{sign}{grouped}")
    };
    digits::localize(&text, lang)
}

/// The sign of a currency, for the currencies whose sign every reader knows.
fn sign_of(currency: Currency) -> Option<&'static str> {
    match currency.code() {
        "EUR" => Some("€"),
        "ILS" => Some("₪"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// An amount with its currency as a reader of `lang` writes it (pages, receipts and e-mails
/// all use this): English puts the sign before the number (`€45.00`, `₪120.50`); Hebrew,
/// Persian, Greek and Latvian after it, joined by a no-break space (`120.50 ₪`, `45,00 €`); a
/// currency without a sign everyone knows (the rial, the lev) is named after the number, by
/// `unit_name` (the page's word for the unit: `120,000 toman`, `۱۲۰٬۰۰۰ تومان`, `45.00 BGN`).
pub fn format_money(
    minor: i64,
    currency: Currency,
    unit: Unit,
    lang: &str,
    unit_name: &str,
) -> String {
    let number = format_amount(minor, currency, unit, lang);
    match (sign_of(currency), lang) {
        (Some(sign), "en") => match number.strip_prefix('-') {
            Some(abs) => format!("-{sign}{abs}"),
            None => format!("{sign}{number}"),
        },
        (Some(sign), _) => format!("{number}\u{a0}{sign}"),
        (None, _) => format!("{number} {unit_name}"),
    }
}

/// Formats an amount for a form field: no grouping, ASCII digits, so it parses back exactly.
pub fn amount_input_value(minor: i64, currency: Currency, unit: Unit) -> String {
    let (decimals, per_unit) = unit.scale(currency);
    let whole = minor / per_unit;
    let frac = minor % per_unit;
    if frac == 0 {
        whole.to_string()
    } else {
        let digits = frac * 10_i64.pow(decimals) / per_unit;
        format!("{whole}.{digits:0width$}", width = decimals as usize)
    }
}

/// A discount for paying with a method: a fixed amount (minor units) or a percentage in basis
/// points (1250 = 12.5 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    Fixed(i64),
    Percent(i64),
}

impl Discount {
    /// How much is let off `amount`: never more than the amount itself, so what is charged is
    /// never below zero. Percentages round half up.
    pub fn off(self, amount: i64) -> i64 {
        let off = match self {
            Discount::Fixed(minor) => minor,
            Discount::Percent(bp) => (i128::from(amount) * i128::from(bp) + 5_000)
                .checked_div(10_000)
                .and_then(|v| i64::try_from(v).ok())
                .unwrap_or(amount),
        };
        off.clamp(0, amount.max(0))
    }

    /// `(kind, value)` as stored.
    pub fn to_parts(self) -> (&'static str, i64) {
        match self {
            Discount::Fixed(v) => ("fixed", v),
            Discount::Percent(v) => ("percent", v),
        }
    }

    pub fn from_parts(kind: Option<&str>, value: Option<i64>) -> Option<Discount> {
        match (kind?, value?) {
            (_, v) if v <= 0 => None,
            ("fixed", v) => Some(Discount::Fixed(v)),
            ("percent", v) => Some(Discount::Percent(v.min(10_000))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn irr(input: &str, unit: Unit) -> Result<i64, AmountError> {
        parse_amount(input, Currency::IRR, unit)
    }

    fn eur(input: &str) -> Result<i64, AmountError> {
        parse_amount(input, Currency::parse("EUR").unwrap(), Unit::Standard)
    }

    #[test]
    fn rial_amounts_accept_every_digit_script_and_separator() {
        assert_eq!(irr("120000", Unit::Standard), Ok(120_000));
        assert_eq!(irr("120,000", Unit::Standard), Ok(120_000));
        assert_eq!(irr("۱۲۰٬۰۰۰", Unit::Standard), Ok(120_000));
        assert_eq!(irr("١٢٠٬٠٠٠", Unit::Standard), Ok(120_000));
        assert_eq!(irr(" 1 200 000 ", Unit::Standard), Ok(1_200_000));
        assert_eq!(irr("1.200.000", Unit::Standard), Ok(1_200_000));
    }

    #[test]
    fn toman_amounts_are_stored_in_rial() {
        assert_eq!(irr("120,000", Unit::Toman), Ok(1_200_000));
        assert_eq!(irr("۱۲۰٬۰۰۰", Unit::Toman), Ok(1_200_000));
        assert_eq!(irr("12.5", Unit::Toman), Ok(125));
        assert_eq!(irr("12.55", Unit::Toman), Err(AmountError::TooPrecise));
        assert_eq!(irr("12.5", Unit::Standard), Err(AmountError::TooPrecise));
    }

    #[test]
    fn decimal_currencies_take_either_decimal_separator() {
        assert_eq!(eur("10.50"), Ok(1050));
        assert_eq!(eur("10,50"), Ok(1050));
        assert_eq!(eur("1.234,56"), Ok(123_456));
        assert_eq!(eur("1,234.56"), Ok(123_456));
        assert_eq!(eur("1,234"), Ok(123_400));
        assert_eq!(eur(".5"), Ok(50));
        assert_eq!(eur("0.001"), Err(AmountError::TooPrecise));
    }

    #[test]
    fn bad_amounts_are_refused_with_their_reason() {
        assert_eq!(irr("", Unit::Standard), Err(AmountError::Empty));
        assert_eq!(irr("   ", Unit::Standard), Err(AmountError::Empty));
        assert_eq!(irr("0", Unit::Standard), Err(AmountError::Zero));
        assert_eq!(irr("0,000", Unit::Standard), Err(AmountError::Zero));
        assert_eq!(irr("-5000", Unit::Standard), Err(AmountError::Negative));
        assert_eq!(irr("abc", Unit::Standard), Err(AmountError::NotANumber));
        assert_eq!(irr("12e5", Unit::Standard), Err(AmountError::NotANumber));
        assert_eq!(irr(",", Unit::Standard), Err(AmountError::NotANumber));
        assert_eq!(
            irr("99999999999999999999", Unit::Standard),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            irr("10000000000001", Unit::Standard),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            irr("9223372036854775807", Unit::Toman),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn formatting_follows_each_language() {
        let toman = Unit::Toman;
        assert_eq!(
            format_amount(1_200_000, Currency::IRR, toman, "en"),
            "120,000"
        );
        assert_eq!(
            format_amount(1_200_000, Currency::IRR, toman, "he"),
            "120,000"
        );
        assert_eq!(
            format_amount(1_200_000, Currency::IRR, toman, "fa"),
            "۱۲۰٬۰۰۰"
        );
        assert_eq!(
            format_amount(1_200_000, Currency::IRR, Unit::Standard, "fa"),
            "۱٬۲۰۰٬۰۰۰"
        );
        assert_eq!(format_amount(125, Currency::IRR, toman, "en"), "12.5");
        assert_eq!(format_amount(125, Currency::IRR, toman, "fa"), "۱۲٫۵");
        let eur = Currency::parse("eur").unwrap();
        assert_eq!(
            format_amount(123_456, eur, Unit::Standard, "en"),
            "1,234.56"
        );
        assert_eq!(
            format_amount(123_456, eur, Unit::Standard, "el"),
            "1.234,56"
        );
        assert_eq!(format_amount(5, eur, Unit::Standard, "en"), "0.05");
    }

    #[test]
    fn each_language_places_the_currency_its_own_way() {
        let (eur, ils) = (
            Currency::parse("EUR").unwrap(),
            Currency::parse("ILS").unwrap(),
        );
        let bgn = Currency::parse("BGN").unwrap();
        let money =
            |minor, currency, lang| format_money(minor, currency, Unit::Standard, lang, "BGN");
        assert_eq!(money(4_500, eur, "en"), "€45.00");
        assert_eq!(money(-4_500, eur, "en"), "-€45.00");
        assert_eq!(money(12_050, ils, "en"), "₪120.50");
        assert_eq!(money(12_050, ils, "he"), "120.50\u{a0}₪");
        assert_eq!(money(4_500, eur, "el"), "45,00\u{a0}€");
        assert_eq!(money(123_456, eur, "lv"), "1\u{a0}234,56\u{a0}€");
        assert_eq!(money(4_500, bgn, "en"), "45.00 BGN");
        let toman = Unit::for_store(Currency::IRR, true);
        assert_eq!(
            format_money(1_200_000, Currency::IRR, toman, "fa", "تومان"),
            "۱۲۰٬۰۰۰ تومان"
        );
        assert_eq!(
            format_amount(999, Currency::IRR, Unit::Standard, "en"),
            "999"
        );
    }

    #[test]
    fn input_values_round_trip() {
        let eur = Currency::parse("EUR").unwrap();
        for minor in [1, 50, 1050, 123_456] {
            let text = amount_input_value(minor, eur, Unit::Standard);
            assert_eq!(parse_amount(&text, eur, Unit::Standard), Ok(minor));
        }
        assert_eq!(
            amount_input_value(1_200_000, Currency::IRR, Unit::Toman),
            "120000"
        );
        assert_eq!(amount_input_value(125, Currency::IRR, Unit::Toman), "12.5");
    }

    #[test]
    fn discounts_never_take_the_amount_below_zero() {
        assert_eq!(Discount::Fixed(5_000).off(120_000), 5_000);
        assert_eq!(Discount::Fixed(500_000).off(120_000), 120_000);
        assert_eq!(Discount::Percent(1_000).off(120_000), 12_000);
        assert_eq!(Discount::Percent(1_250).off(999), 125, "124.875 rounds up");
        assert_eq!(Discount::Percent(10_000).off(999), 999);
        assert_eq!(Discount::Percent(1_000).off(MAX_MINOR), MAX_MINOR / 10);
        assert_eq!(
            Discount::from_parts(Some("percent"), Some(25_000)),
            Some(Discount::Percent(10_000))
        );
        assert_eq!(Discount::from_parts(Some("fixed"), Some(0)), None);
        assert_eq!(Discount::from_parts(Some("bogus"), Some(5)), None);
        assert_eq!(Discount::from_parts(None, Some(5)), None);
    }

    #[test]
    fn unit_follows_store_setting_only_for_rial() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(Unit::for_store(Currency::IRR, true), Unit::Toman);
        assert_eq!(Unit::for_store(Currency::IRR, false), Unit::Standard);
        assert_eq!(Unit::for_store(eur, true), Unit::Standard);
        assert_eq!(Currency::parse("XXX"), None);
    }
}
