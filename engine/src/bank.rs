//! Bank account numbers as merchants type them: IBANs (ISO 13616, checked with mod 97 and the
//! country's length), payment card numbers (Luhn) and plain account numbers. Persian digits,
//! spaces and dashes are accepted and removed.

use crate::digits;
use crate::validation::Problem;

/// IBAN lengths of the countries Kassa's merchants bank in; other countries get the general
/// 15 to 34 characters.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("IR", 26),
    ("IL", 23),
    ("GR", 27),
    ("BG", 22),
    ("LV", 21),
    ("LT", 20),
    ("EE", 20),
    ("CY", 28),
    ("RO", 24),
    ("DE", 22),
    ("FR", 27),
    ("GB", 22),
    ("NL", 18),
    ("TR", 26),
    ("AE", 23),
];

/// Digits and letters only, upper-case, in ASCII.
fn compact(input: &str) -> String {
    digits::to_ascii(input)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '-' | '\u{a0}' | '\u{200c}' | '\u{200e}' | '\u{200f}'
            )
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// An optional IBAN in its compact form (`IR820540102680020817909002`).
pub fn optional_iban(input: &str) -> Result<Option<String>, Problem> {
    let iban = compact(input);
    if iban.is_empty() {
        return Ok(None);
    }
    let shape_ok = iban.len() >= 15
        && iban.len() <= 34
        && iban.chars().all(|c| c.is_ascii_alphanumeric())
        && iban[..2].chars().all(|c| c.is_ascii_alphabetic())
        && iban[2..4].chars().all(|c| c.is_ascii_digit());
    if !shape_ok {
        return Err(Problem::Invalid);
    }
    let expected = IBAN_LENGTHS.iter().find(|(c, _)| *c == &iban[..2]);
    if expected.is_some_and(|(_, len)| *len != iban.len()) || mod97(&iban) != 1 {
        return Err(Problem::Invalid);
    }
    Ok(Some(iban))
}

/// ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end and
/// letters as numbers (A = 10 … Z = 35).
fn mod97(iban: &str) -> u32 {
    iban[4..]
        .chars()
        .chain(iban[..4].chars())
        .fold(0u32, |acc, c| {
            let n = c.to_digit(36).unwrap_or(0);
            if n >= 10 {
                (acc * 100 + n) % 97
            } else {
                (acc * 10 + n) % 97
            }
        })
}

/// An optional payment card number (16 to 19 digits, Luhn-checked), compact.
pub fn optional_card_number(input: &str) -> Result<Option<String>, Problem> {
    let card = compact(input);
    if card.is_empty() {
        return Ok(None);
    }
    if !(13..=19).contains(&card.len()) || !card.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::Invalid);
    }
    if luhn(&card) {
        Ok(Some(card))
    } else {
        Err(Problem::Invalid)
    }
}

fn luhn(number: &str) -> bool {
    let sum: u32 = number
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| match (i % 2, d * 2) {
            (1, d2) if d2 > 9 => d2 - 9,
            (1, d2) => d2,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A required account number as the bank writes it: digits, letters, dashes, dots and slashes.
pub fn account_number(input: &str) -> Result<String, Problem> {
    let number = crate::validation::required_text(&digits::to_ascii(input), 34)?;
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | ' '));
    if allowed && number.chars().filter(char::is_ascii_digit).count() >= 4 {
        Ok(number)
    } else {
        Err(Problem::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_by_mod_97_and_length() {
        for (typed, compact) in [
            (
                "IR82 0540 1026 8002 0817 9090 02",
                "IR820540102680020817909002",
            ),
            ("il62 0108 0000 0009 9999 999", "IL620108000000099999999"),
            (
                "GR16 0110 1250 0000 0001 2300 695",
                "GR1601101250000000012300695",
            ),
            ("LV80BANK0000435195001", "LV80BANK0000435195001"),
            ("BG80 BNBG 9661 1020 3456 78", "BG80BNBG96611020345678"),
            (
                "IR۸۲ ۰۵۴۰ 1026 8002 0817 9090 02",
                "IR820540102680020817909002",
            ),
        ] {
            assert_eq!(optional_iban(typed), Ok(Some(compact.into())), "{typed}");
        }
        assert_eq!(optional_iban("  "), Ok(None));
        for bad in [
            "IR82 0540 1026 8002 0817 9090 03",
            "IR82 0540 1026 8002 0817 9090",
            "LV80BANK000043519500",
            "1R820540102680020817909002",
            "IR82-0540-1026-8002-0817-9090-0!",
        ] {
            assert_eq!(optional_iban(bad), Err(Problem::Invalid), "{bad}");
        }
    }

    #[test]
    fn card_numbers_pass_luhn() {
        assert_eq!(
            optional_card_number("6037-9975-9999-9999"),
            Err(Problem::Invalid)
        );
        assert_eq!(
            optional_card_number("4111 1111 1111 1111"),
            Ok(Some("4111111111111111".into()))
        );
        assert_eq!(
            optional_card_number("۶۰۳۷ ۹۹۷۱ ۱۲۳۴ ۵۶۷۹"),
            optional_card_number("6037997112345679")
        );
        assert_eq!(
            optional_card_number("4111 1111 1111 1112"),
            Err(Problem::Invalid)
        );
        assert_eq!(optional_card_number("4111"), Err(Problem::Invalid));
        assert_eq!(optional_card_number(""), Ok(None));
    }

    #[test]
    fn account_numbers() {
        assert_eq!(
            account_number(" 0107-654321-009 "),
            Ok("0107-654321-009".into())
        );
        assert_eq!(account_number("۴۴۵۵۶۶۷۷۸۸"), Ok("4455667788".into()));
        assert_eq!(account_number("abc"), Err(Problem::Invalid));
        assert_eq!(account_number("12;34567"), Err(Problem::Invalid));
        assert_eq!(account_number(""), Err(Problem::Required));
    }
}
