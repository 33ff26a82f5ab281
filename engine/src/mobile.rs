//! Mobile numbers: Iranian forms (`0912…`, `912…`, `98912…`, `+98912…`, `0098912…`), Israeli
//! local ones (`050-1234567`), and international E.164 forms (`+44…`, `0044…`), normalised to
//! E.164. The local forms cannot be confused: Iranian ones are `09` and 9 digits, Israeli ones
//! `05` and 8.

use crate::digits;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("the mobile number is missing")]
    Missing,
    #[error("the mobile number is not valid")]
    Invalid,
}

/// Returns the number in E.164 form (`+989121234567`) or why it is not a mobile number.
pub fn normalize_mobile(input: &str) -> Result<String, MobileError> {
    let ascii = digits::to_ascii(input.trim());
    if ascii.is_empty() {
        return Err(MobileError::Missing);
    }
    let compact: String = ascii
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{a0}'))
        .collect();
    let international = if let Some(rest) = compact.strip_prefix('+') {
        rest.to_owned()
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest.to_owned()
    } else if compact.len() == 11 && compact.starts_with("09") {
        format!("98{}", &compact[1..])
    } else if compact.len() == 10 && compact.starts_with("05") {
        format!("972{}", &compact[1..])
    } else if compact.len() == 10 && compact.starts_with('9') {
        format!("98{compact}")
    } else if compact.len() == 12 && compact.starts_with("989") {
        compact
    } else {
        return Err(MobileError::Invalid);
    };
    if !international.chars().all(|c| c.is_ascii_digit()) || international.starts_with('0') {
        return Err(MobileError::Invalid);
    }
    if let Some(national) = international.strip_prefix("98") {
        // Iranian mobile numbers are 9 followed by nine digits; landlines are not mobiles.
        if national.len() != 10 || !national.starts_with('9') {
            return Err(MobileError::Invalid);
        }
    } else if !(8..=15).contains(&international.len()) {
        return Err(MobileError::Invalid);
    }
    Ok(format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iranian_forms_normalise_to_e164() {
        for input in [
            "09121234567",
            "9121234567",
            "989121234567",
            "+989121234567",
            "00989121234567",
            "0912 123 4567",
            "0912-123-4567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "٠٩١٢١٢٣٤٥٦٧",
        ] {
            assert_eq!(
                normalize_mobile(input),
                Ok("+989121234567".into()),
                "{input}"
            );
        }
    }

    #[test]
    fn international_forms_normalise_to_e164() {
        assert_eq!(
            normalize_mobile("+44 7911 123456"),
            Ok("+447911123456".into())
        );
        assert_eq!(
            normalize_mobile("00972-50-1234567"),
            Ok("+972501234567".into())
        );
        assert_eq!(
            normalize_mobile("+371 2000 0000"),
            Ok("+37120000000".into())
        );
    }

    #[test]
    fn israeli_local_forms_normalise_to_e164() {
        for input in [
            "050-1234567",
            "0501234567",
            "050 123 4567",
            "(050) 123-4567",
        ] {
            assert_eq!(
                normalize_mobile(input),
                Ok("+972501234567".into()),
                "{input}"
            );
        }
        for input in ["050123456", "05012345678", "0301234567"] {
            assert_eq!(
                normalize_mobile(input),
                Err(MobileError::Invalid),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert_eq!(normalize_mobile(""), Err(MobileError::Missing));
        assert_eq!(normalize_mobile("  "), Err(MobileError::Missing));
        for input in [
            "12345",
            "0912123456",
            "091212345678",
            "02112345678",
            "+98211234567",
            "+9891212345678",
            "+0123456789",
            "+1234567",
            "+1234567890123456",
            "0912abc4567",
            "++989121234567",
        ] {
            assert_eq!(
                normalize_mobile(input),
                Err(MobileError::Invalid),
                "{input}"
            );
        }
    }
}
