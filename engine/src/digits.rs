//! Digits as people type and read them: Persian (۰-۹) and Arabic-Indic (٠-٩) digits are
//! accepted everywhere and shown in Persian pages.

/// Replaces Persian and Arabic-Indic digits with ASCII ones and leaves everything else alone.
pub fn to_ascii(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            _ => c,
        })
        .collect()
}

/// Replaces ASCII digits with Persian ones.
pub fn to_persian(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Shows `input`'s digits the way readers of `lang` expect.
pub fn localize(input: &str, lang: &str) -> String {
    if lang == "fa" {
        to_persian(input)
    } else {
        input.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_and_arabic_indic_digits_become_ascii() {
        assert_eq!(to_ascii("۱۲۰٬۰۰۰"), "120٬000");
        assert_eq!(to_ascii("٠٩١٢"), "0912");
        assert_eq!(to_ascii("abc 42"), "abc 42");
    }

    #[test]
    fn ascii_digits_become_persian_only_for_persian() {
        assert_eq!(to_persian("09121234567"), "۰۹۱۲۱۲۳۴۵۶۷");
        assert_eq!(localize("1,200", "fa"), "۱,۲۰۰");
        assert_eq!(localize("1,200", "he"), "1,200");
    }
}
