//! Checks of what a customer types, and the field errors they produce. Errors travel through
//! a redirect when JavaScript is off, so they have a compact text form (`encode`/`decode`).

use serde::{Deserialize, Serialize};

use crate::digits;
use crate::money::{AmountError, Currency, Discount, Unit};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Mobile,
    Phone,
    Email,
    Amount,
    Description,
    Method,
    BankAccount,
    SlipNumber,
    SlipDate,
    // The back office's forms.
    Password,
    NewPassword,
    StoreName,
    Slug,
    Currency,
    Language,
    BankName,
    Holder,
    AccountNumber,
    Iban,
    CardNumber,
    DisplayName,
    MinAmount,
    MaxAmount,
    Discount,
    Package,
    /// One of a provider's settings (`connectors::Setting`).
    Setting(SettingName),
    // The payments report's filters.
    Status,
    Mode,
    DateFrom,
    DateTo,
    Search,
    Reason,
    // Payment links.
    Expires,
    MaxUses,
    Logo,
    // What receipts say about the store.
    LegalName,
    RegistrationNumber,
    Address,
    TimeZone,
}

impl Field {
    const ALL: [Field; 39] = [
        Field::Name,
        Field::Mobile,
        Field::Phone,
        Field::Email,
        Field::Amount,
        Field::Description,
        Field::Method,
        Field::BankAccount,
        Field::SlipNumber,
        Field::SlipDate,
        Field::Password,
        Field::NewPassword,
        Field::StoreName,
        Field::Slug,
        Field::Currency,
        Field::Language,
        Field::BankName,
        Field::Holder,
        Field::AccountNumber,
        Field::Iban,
        Field::CardNumber,
        Field::DisplayName,
        Field::MinAmount,
        Field::MaxAmount,
        Field::Discount,
        Field::Package,
        Field::Status,
        Field::Mode,
        Field::DateFrom,
        Field::DateTo,
        Field::Search,
        Field::Reason,
        Field::Expires,
        Field::MaxUses,
        Field::Logo,
        Field::LegalName,
        Field::RegistrationNumber,
        Field::Address,
        Field::TimeZone,
    ];

    /// Its name in [`FieldErrors::encode`]: a provider's setting as `setting.{name}`.
    fn name(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Field::Setting(name) => format!("setting.{}", name.as_str()).into(),
            other => other.common_name().into(),
        }
    }

    fn common_name(self) -> &'static str {
        match self {
            Field::Setting(_) => "setting",
            Field::Name => "name",
            Field::Mobile => "mobile",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Amount => "amount",
            Field::Description => "description",
            Field::Method => "method",
            Field::BankAccount => "bank_account",
            Field::SlipNumber => "slip_number",
            Field::SlipDate => "slip_date",
            Field::Password => "password",
            Field::NewPassword => "new_password",
            Field::StoreName => "store_name",
            Field::Slug => "slug",
            Field::Currency => "currency",
            Field::Language => "language",
            Field::BankName => "bank_name",
            Field::Holder => "holder",
            Field::AccountNumber => "account_number",
            Field::Iban => "iban",
            Field::CardNumber => "card_number",
            Field::DisplayName => "display_name",
            Field::MinAmount => "min_amount",
            Field::MaxAmount => "max_amount",
            Field::Discount => "discount",
            Field::Package => "package",
            Field::Status => "status",
            Field::Mode => "mode",
            Field::DateFrom => "from",
            Field::DateTo => "to",
            Field::Search => "q",
            Field::Reason => "reason",
            Field::Expires => "expires",
            Field::MaxUses => "max_uses",
            Field::Logo => "logo",
            Field::LegalName => "legal_name",
            Field::RegistrationNumber => "registration_number",
            Field::Address => "address",
            Field::TimeZone => "time_zone",
        }
    }

    fn parse(s: &str) -> Option<Field> {
        match s.strip_prefix("setting.") {
            Some(name) => SettingName::parse(name).map(Field::Setting),
            None => Field::ALL.into_iter().find(|f| f.common_name() == s),
        }
    }
}

/// The name of a provider's setting, held inline so that a [`Field`] stays `Copy`: up to
/// [`SettingName::MAX`] lower-case ASCII letters, digits and underscores.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SettingName {
    len: u8,
    bytes: [u8; SettingName::MAX],
}

impl SettingName {
    pub const MAX: usize = 30;

    /// `name` as a setting's name. Panics (at compile time, in a `const`) if it is not one.
    pub const fn new(name: &str) -> SettingName {
        match SettingName::checked(name) {
            Some(n) => n,
            None => panic!("a setting's name is lower-case ASCII, digits and _, at most 30"),
        }
    }

    const fn checked(name: &str) -> Option<SettingName> {
        let b = name.as_bytes();
        if b.is_empty() || b.len() > SettingName::MAX {
            return None;
        }
        let mut bytes = [0; SettingName::MAX];
        let mut i = 0;
        while i < b.len() {
            if !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit() || b[i] == b'_') {
                return None;
            }
            bytes[i] = b[i];
            i += 1;
        }
        Some(SettingName {
            len: b.len() as u8,
            bytes,
        })
    }

    pub fn parse(name: &str) -> Option<SettingName> {
        SettingName::checked(name)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Debug for SettingName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl Serialize for SettingName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SettingName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SettingName, D::Error> {
        let name = String::deserialize(d)?;
        SettingName::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("not a setting's name: {name}")))
    }
}

/// What is wrong with a field. `BelowMin`/`AboveMax` carry the limit in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    Invalid,
    TooLong,
    NotANumber,
    Negative,
    Zero,
    TooPrecise,
    TooLarge,
    InFuture,
    Unavailable,
    TooShort,
    /// Already used by another account or store.
    Taken,
    /// Not the account's current password.
    WrongPassword,
    /// An end date before the start date.
    BeforeStart,
    /// A date that has already passed.
    InPast,
    BelowMin(i64),
    AboveMax(i64),
    // A provider's account, checked by its shape and then with the provider.
    /// A PayMe seller key that does not start with `MPL`.
    KeyPrefix,
    /// A PayMe seller key of this many characters (it has 35).
    KeyLength(i64),
    /// A PayMe seller key with dashes or characters out of place.
    KeyShape,
    /// Not the e-mail address of the provider account.
    EmailMismatch,
    /// The provider knows no such account registered through Kassa.
    NotRegistered,
    /// The provider account is connected to another store.
    ConnectedElsewhere,
    /// The provider does not take the store's currency.
    CurrencyUnsupported,
    /// The provider could not be asked; nothing was saved.
    ProviderUnreachable,
    /// Control characters or direction overrides: text that shows other than it reads.
    HiddenCharacters,
}

impl Problem {
    fn encode(self) -> String {
        match self {
            Problem::BelowMin(n) => format!("below_min.{n}"),
            Problem::AboveMax(n) => format!("above_max.{n}"),
            Problem::KeyLength(n) => format!("key_length.{n}"),
            other => other.simple_name().to_owned(),
        }
    }

    fn simple_name(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::Invalid => "invalid",
            Problem::TooLong => "too_long",
            Problem::NotANumber => "nan",
            Problem::Negative => "negative",
            Problem::Zero => "zero",
            Problem::TooPrecise => "too_precise",
            Problem::TooLarge => "too_large",
            Problem::InFuture => "in_future",
            Problem::Unavailable => "unavailable",
            Problem::TooShort => "too_short",
            Problem::Taken => "taken",
            Problem::WrongPassword => "wrong_password",
            Problem::BeforeStart => "before_start",
            Problem::InPast => "in_past",
            Problem::BelowMin(_) => "below_min",
            Problem::AboveMax(_) => "above_max",
            Problem::KeyPrefix => "key_prefix",
            Problem::KeyLength(_) => "key_length",
            Problem::KeyShape => "key_shape",
            Problem::EmailMismatch => "email_mismatch",
            Problem::NotRegistered => "not_registered",
            Problem::ConnectedElsewhere => "connected_elsewhere",
            Problem::CurrencyUnsupported => "currency_unsupported",
            Problem::ProviderUnreachable => "provider_unreachable",
            Problem::HiddenCharacters => "hidden_characters",
        }
    }

    fn decode(s: &str) -> Option<Problem> {
        if let Some((name, n)) = s.split_once('.') {
            let n = n.parse().ok()?;
            return match name {
                "below_min" => Some(Problem::BelowMin(n)),
                "above_max" => Some(Problem::AboveMax(n)),
                "key_length" => Some(Problem::KeyLength(n)),
                _ => None,
            };
        }
        [
            Problem::Required,
            Problem::Invalid,
            Problem::TooLong,
            Problem::NotANumber,
            Problem::Negative,
            Problem::Zero,
            Problem::TooPrecise,
            Problem::TooLarge,
            Problem::InFuture,
            Problem::Unavailable,
            Problem::TooShort,
            Problem::Taken,
            Problem::WrongPassword,
            Problem::BeforeStart,
            Problem::InPast,
            Problem::KeyPrefix,
            Problem::KeyShape,
            Problem::EmailMismatch,
            Problem::NotRegistered,
            Problem::ConnectedElsewhere,
            Problem::CurrencyUnsupported,
            Problem::ProviderUnreachable,
            Problem::HiddenCharacters,
        ]
        .into_iter()
        .find(|p| p.simple_name() == s)
    }
}

/// An amount field that may be left empty, in the store's unit.
pub fn optional_amount(
    input: &str,
    currency: Currency,
    unit: Unit,
) -> Result<Option<i64>, Problem> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    crate::money::parse_amount(input, currency, unit)
        .map(Some)
        .map_err(Problem::from)
}

/// A method's discount: none (`kind` empty or `none`), a `fixed` amount in the store's unit,
/// or a `percent` with up to two decimals and at most 100 (kept in hundredths of a percent).
pub fn discount(
    kind: &str,
    value: &str,
    currency: Currency,
    unit: Unit,
) -> Result<Option<Discount>, Problem> {
    let value = value.trim();
    match kind {
        "" | "none" => Ok(None),
        _ if value.is_empty() => Err(Problem::Required),
        "fixed" => crate::money::parse_amount(value, currency, unit)
            .map(|v| Some(Discount::Fixed(v)))
            .map_err(Problem::from),
        "percent" => {
            let hundredths = Currency::parse("EUR").expect("EUR is supported");
            match crate::money::parse_amount(value, hundredths, Unit::Standard) {
                Ok(bp) if bp > 10_000 => Err(Problem::AboveMax(10_000)),
                Ok(bp) => Ok(Some(Discount::Percent(bp))),
                Err(e) => Err(Problem::from(e)),
            }
        }
        _ => Err(Problem::Invalid),
    }
}

impl From<AmountError> for Problem {
    fn from(e: AmountError) -> Problem {
        match e {
            AmountError::Empty => Problem::Required,
            AmountError::NotANumber => Problem::NotANumber,
            AmountError::Negative => Problem::Negative,
            AmountError::Zero => Problem::Zero,
            AmountError::TooPrecise => Problem::TooPrecise,
            AmountError::TooLarge => Problem::TooLarge,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(Vec<(Field, Problem)>);

impl FieldErrors {
    pub fn add(&mut self, field: Field, problem: Problem) {
        if self.get(field).is_none() {
            self.0.push((field, problem));
        }
    }

    pub fn check<T>(&mut self, field: Field, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|p| self.add(field, p)).ok()
    }

    pub fn get(&self, field: Field) -> Option<Problem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| *p)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each field with what is wrong with it, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = (Field, Problem)> + '_ {
        self.0.iter().copied()
    }

    /// `name:required,amount:below_min.10000`
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(f, p)| format!("{}:{}", f.name(), p.encode()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads [`FieldErrors::encode`]'s output; unknown parts are dropped.
    pub fn decode(s: &str) -> FieldErrors {
        let mut errors = FieldErrors::default();
        for part in s.split(',') {
            if let Some((f, p)) = part.split_once(':')
                && let (Some(f), Some(p)) = (Field::parse(f), Problem::decode(p))
            {
                errors.add(f, p);
            }
        }
        errors
    }
}

/// A required short text: trimmed, not empty, at most `max` characters.
pub fn required_text(input: &str, max: usize) -> Result<String, Problem> {
    let text = input.trim();
    match text.chars().count() {
        0 => Err(Problem::Required),
        n if n > max => Err(Problem::TooLong),
        _ => Ok(text.to_owned()),
    }
}

/// A name or a one-line text shown to others (a payer, a store, a description): like
/// [`required_text`], and without [`hidden`] characters.
pub fn required_name(input: &str, max: usize) -> Result<String, Problem> {
    let text = required_text(input, max)?;
    if text.chars().any(hidden) {
        return Err(Problem::HiddenCharacters);
    }
    Ok(text)
}

/// An optional [`required_name`]: `None` when blank.
pub fn optional_name(input: &str, max: usize) -> Result<Option<String>, Problem> {
    match required_name(input, max) {
        Ok(text) => Ok(Some(text)),
        Err(Problem::Required) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Characters a name must not hold: control characters (they break logs, CSV cells and
/// e-mail headers) and the bidi embeddings, overrides and isolates, which make a name show
/// other than it reads (a payer's name reversed in the merchant's list). The marks that
/// Hebrew and Persian text needs (ZWNJ U+200C, ZWJ, LRM and RLM) stay allowed.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// An optional text: `None` when blank, at most `max` characters.
pub fn optional_text(input: &str, max: usize) -> Result<Option<String>, Problem> {
    match required_text(input, max) {
        Ok(text) => Ok(Some(text)),
        Err(Problem::Required) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An optional e-mail address: one `@`, a dotted domain, no spaces.
pub fn optional_email(input: &str) -> Result<Option<String>, Problem> {
    match required_email(input) {
        Ok(email) => Ok(Some(email)),
        Err(Problem::Required) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A required e-mail address (see [`optional_email`]).
pub fn required_email(input: &str) -> Result<String, Problem> {
    let email = required_text(input, 254)?;
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(Problem::Invalid)
    }
}

/// A number of `lengths` digits (spaces between them dropped): an account or store number.
pub fn digits(input: &str, lengths: std::ops::RangeInclusive<usize>) -> Result<String, Problem> {
    let value: String = required_text(input, 64)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if !value.chars().all(|c| c.is_ascii_digit()) {
        Err(Problem::NotANumber)
    } else if !lengths.contains(&value.len()) {
        Err(Problem::Invalid)
    } else {
        Ok(value)
    }
}

/// A name or token a provider issued: printable ASCII, no spaces, at most 200 characters.
pub fn token(input: &str) -> Result<String, Problem> {
    let value = required_text(input, 200)?;
    if value.chars().all(|c| c.is_ascii_graphic()) {
        Ok(value)
    } else {
        Err(Problem::Invalid)
    }
}

/// A checkbox: `true` or `false`.
pub fn switch(input: &str) -> Result<String, Problem> {
    Ok(matches!(input.trim(), "on" | "true" | "1").to_string())
}

/// The e-mail address of an account at a provider, lower-cased.
pub fn account_email(input: &str) -> Result<String, Problem> {
    required_email(input).map(|e| e.to_lowercase())
}

/// The languages Kassa's pages are written in; a store's default is one of them.
pub const LANGUAGES: [&str; 5] = ["en", "he", "fa", "el", "lv"];

/// Slugs no store may take: Kassa's own paths (a store named `admin` would read as Kassa's
/// back office in a link), and `demo…`, the sandbox's demo stores.
const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "sim", "pay", "track", "notify", "logos", "openpay", "static", "pkg", "assets",
    "kassa", "www", "mail", "login", "signup", "settings", "help", "support", "status", "receipt",
    "receipts", "invoice", "invoices", "webhook", "webhooks",
];

/// A store's public slug, as in `/s/{slug}/openpay`: 3 to 40 lower-case letters, digits and
/// inner dashes, not one of Kassa's own ([`RESERVED_SLUGS`], `demo…`).
pub fn slug(input: &str) -> Result<String, Problem> {
    let slug = required_text(input, 40)?.to_ascii_lowercase();
    if slug.chars().count() < 3 {
        return Err(Problem::TooShort);
    }
    let allowed = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !allowed || slug.starts_with('-') || slug.ends_with('-') {
        return Err(Problem::Invalid);
    }
    if RESERVED_SLUGS.contains(&slug.as_str()) || slug.starts_with("demo") {
        return Err(Problem::Taken);
    }
    Ok(slug)
}

/// A new password: 10 to 128 characters, taken as typed (no trimming), and not the e-mail.
/// Length is what makes a password strong; composition rules only make it harder to remember.
pub fn new_password(input: &str, email: &str) -> Result<String, Problem> {
    match input.chars().count() {
        0 => Err(Problem::Required),
        n if n < 10 => Err(Problem::TooShort),
        n if n > 128 => Err(Problem::TooLong),
        _ if input.trim().eq_ignore_ascii_case(email.trim()) => Err(Problem::Invalid),
        _ => Ok(input.to_owned()),
    }
}

/// One of the supported ISO 4217 codes.
pub fn currency(input: &str) -> Result<Currency, Problem> {
    if input.trim().is_empty() {
        return Err(Problem::Required);
    }
    Currency::parse(input).ok_or(Problem::Unavailable)
}

/// One of [`LANGUAGES`].
pub fn language(input: &str) -> Result<&'static str, Problem> {
    LANGUAGES
        .into_iter()
        .find(|l| *l == input.trim())
        .ok_or(Problem::Unavailable)
}

/// An optional landline or any phone: digits with the usual punctuation, 5 to 15 digits.
pub fn optional_phone(input: &str) -> Result<Option<String>, Problem> {
    let Some(phone) = optional_text(&digits::to_ascii(input), 30)? else {
        return Ok(None);
    };
    let digit_count = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " -()+".contains(c));
    if allowed && (5..=15).contains(&digit_count) {
        Ok(Some(phone))
    } else {
        Err(Problem::Invalid)
    }
}

/// A bank slip or reference number: letters, digits and dashes, up to 40.
pub fn slip_number(input: &str) -> Result<String, Problem> {
    let number = required_text(&digits::to_ascii(input), 40)?;
    if number
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
    {
        Ok(number)
    } else {
        Err(Problem::Invalid)
    }
}

/// A calendar date `YYYY-MM-DD` (what `<input type=date>` sends), not after `today`.
pub fn slip_date(input: &str, today: (i32, u32, u32)) -> Result<String, Problem> {
    let text = required_text(&digits::to_ascii(input), 10)?;
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(Problem::Invalid);
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(Problem::Invalid);
    };
    if y < 2000 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(Problem::Invalid);
    }
    if (y, m, d) > today {
        return Err(Problem::InFuture);
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_amount_reads_persian_digits_and_names_what_is_wrong() {
        let irr = Currency::parse("IRR").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(optional_amount("  ", irr, Unit::Standard), Ok(None));
        assert_eq!(
            optional_amount("۱۲۰٬۰۰۰", irr, Unit::Standard),
            Ok(Some(120_000))
        );
        assert_eq!(
            optional_amount("12.50", eur, Unit::Standard),
            Ok(Some(1_250))
        );
        assert_eq!(
            optional_amount("۱۲x", irr, Unit::Standard),
            Err(Problem::NotANumber)
        );
        assert_eq!(
            optional_amount("-5", eur, Unit::Standard),
            Err(Problem::Negative)
        );
        assert_eq!(
            optional_amount("1.234", eur, Unit::Standard),
            Err(Problem::TooPrecise)
        );
    }

    #[test]
    fn a_discount_is_a_fixed_amount_or_a_percentage_up_to_100() {
        let irr = Currency::parse("IRR").unwrap();
        let toman = Unit::Toman;
        assert_eq!(discount("none", "12", irr, toman), Ok(None));
        assert_eq!(discount("fixed", " ", irr, toman), Err(Problem::Required));
        // ۵۰۰ toman are 5,000 rial.
        assert_eq!(
            discount("fixed", "۵۰۰", irr, toman),
            Ok(Some(Discount::Fixed(5_000)))
        );
        assert_eq!(
            discount("percent", "12.5", irr, toman),
            Ok(Some(Discount::Percent(1_250)))
        );
        assert_eq!(
            discount("percent", "12.345", irr, toman),
            Err(Problem::TooPrecise)
        );
        assert_eq!(
            discount("percent", "100.01", irr, toman),
            Err(Problem::AboveMax(10_000))
        );
        assert_eq!(discount("half", "1", irr, toman), Err(Problem::Invalid));
    }

    #[test]
    fn kassa_s_own_paths_are_no_store_s_slug() {
        for taken in [
            "admin",
            "API",
            "sim",
            "pay",
            "track",
            "notify",
            "demo",
            "demo-shop",
        ] {
            assert_eq!(slug(taken), Err(Problem::Taken), "{taken}");
        }
        assert_eq!(slug("tapestry").as_deref(), Ok("tapestry"));
        assert_eq!(slug("my-admin").as_deref(), Ok("my-admin"));
    }

    #[test]
    fn names_refuse_controls_and_direction_overrides_but_keep_rtl_marks() {
        for bad in [
            "Sara\u{202E}imhA",
            "Sara\u{2066}x",
            "a\u{0}b",
            "Line\nbreak",
            "tab\there",
        ] {
            assert_eq!(
                required_name(bad, 100),
                Err(Problem::HiddenCharacters),
                "{bad:?}"
            );
        }
        // Persian needs the zero-width non-joiner; Hebrew and Persian text may carry RLM/LRM.
        for good in ["می\u{200C}خواهم", "שרה\u{200F} כהן", "Σοφία Παπαδοπούλου"]
        {
            assert!(required_name(good, 100).is_ok(), "{good:?}");
        }
        assert_eq!(
            optional_name("\u{202D}", 10),
            Err(Problem::HiddenCharacters)
        );
        // Multi-line inputs (a PEM key, a reason) are plain text.
        assert!(required_text("-----BEGIN-----\nAAAA", 100).is_ok());
    }

    #[test]
    fn errors_survive_a_round_trip_through_a_url() {
        let mut errors = FieldErrors::default();
        errors.add(Field::Name, Problem::Required);
        errors.add(Field::Amount, Problem::BelowMin(10_000));
        errors.add(Field::Amount, Problem::Zero);
        assert_eq!(errors.encode(), "name:required,amount:below_min.10000");
        assert_eq!(FieldErrors::decode(&errors.encode()), errors);
        assert!(
            FieldErrors::decode("evil:<script>,name:bogus,setting.Evil:invalid,setting.:invalid,,")
                .is_empty()
        );
        let mut provider = FieldErrors::default();
        let setting = |name| Field::Setting(SettingName::new(name));
        provider.add(setting("seller_key"), Problem::KeyLength(33));
        provider.add(setting("email"), Problem::EmailMismatch);
        provider.add(Field::Email, Problem::Invalid);
        provider.add(Field::Currency, Problem::CurrencyUnsupported);
        assert_eq!(
            provider.encode(),
            "setting.seller_key:key_length.33,setting.email:email_mismatch,email:invalid,\
             currency:currency_unsupported"
        );
        assert_eq!(FieldErrors::decode(&provider.encode()), provider);
    }

    #[test]
    fn texts_and_emails() {
        assert_eq!(required_text("  Sara  ", 10), Ok("Sara".into()));
        assert_eq!(required_text("   ", 10), Err(Problem::Required));
        assert_eq!(required_text("abcdefghijk", 10), Err(Problem::TooLong));
        assert_eq!(optional_email(""), Ok(None));
        assert_eq!(optional_email("a@b.ir"), Ok(Some("a@b.ir".into())));
        for bad in ["a@b", "@b.ir", "a b@c.ir", "a@@b.ir", "a@.ir", "ab.ir"] {
            assert_eq!(optional_email(bad), Err(Problem::Invalid), "{bad}");
        }
    }

    #[test]
    fn phones_and_slips() {
        assert_eq!(
            optional_phone("021-8888 1234"),
            Ok(Some("021-8888 1234".into()))
        );
        assert_eq!(
            optional_phone("۰۲۱۸۸۸۸۱۲۳۴"),
            Ok(Some("02188881234".into()))
        );
        assert_eq!(optional_phone("12ab"), Err(Problem::Invalid));
        assert_eq!(slip_number(" 12-3456/7 "), Ok("12-3456/7".into()));
        assert_eq!(slip_number("12;drop"), Err(Problem::Invalid));
        let today = (2026, 11, 22);
        assert_eq!(slip_date("2026-11-22", today), Ok("2026-11-22".into()));
        assert_eq!(slip_date("2024-02-29", today), Ok("2024-02-29".into()));
        assert_eq!(slip_date("2025-02-29", today), Err(Problem::Invalid));
        assert_eq!(slip_date("2026-11-23", today), Err(Problem::InFuture));
        assert_eq!(slip_date("22/11/2026", today), Err(Problem::Invalid));
        assert_eq!(slip_date("", today), Err(Problem::Required));
    }

    #[test]
    fn back_office_fields() {
        assert_eq!(slug(" My-Shop-2 "), Ok("my-shop-2".into()));
        assert_eq!(slug("ab"), Err(Problem::TooShort));
        assert_eq!(slug("-shop"), Err(Problem::Invalid));
        assert_eq!(slug("shop/../x"), Err(Problem::Invalid));
        assert_eq!(slug("فروشگاه"), Err(Problem::Invalid));
        assert_eq!(new_password("short", "a@b.ir"), Err(Problem::TooShort));
        assert_eq!(
            new_password(&"x".repeat(129), "a@b.ir"),
            Err(Problem::TooLong)
        );
        assert_eq!(
            new_password("Owner@Shop.ir", "owner@shop.ir"),
            Err(Problem::Invalid)
        );
        assert_eq!(
            new_password(" spaces count ", "a@b.ir"),
            Ok(" spaces count ".into())
        );
        assert_eq!(currency("eur").map(|c| c.code()), Ok("EUR"));
        assert_eq!(currency("XYZ"), Err(Problem::Unavailable));
        assert_eq!(language("he"), Ok("he"));
        assert_eq!(language("de"), Err(Problem::Unavailable));
        assert_eq!(required_email(""), Err(Problem::Required));
    }
}
