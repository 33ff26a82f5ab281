//! Tracking codes: what a customer reads aloud to a merchant. Twelve symbols of Crockford's
//! base 32 (no I, L, O or U, so nothing is misheard or misread), 60 random bits, shown as
//! `XXXX-XXXX-XXXX`. Lookups forgive case, dashes, spaces and the usual look-alikes.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LEN: usize = 12;

/// Builds a code from 60 random bits.
pub fn from_bits(bits: u64) -> String {
    (0..LEN)
        .map(|i| ALPHABET[((bits >> (5 * (LEN - 1 - i))) & 31) as usize] as char)
        .collect()
}

/// The canonical stored form of what someone typed, or `None` if it cannot be a code.
pub fn normalize(input: &str) -> Option<String> {
    let code: String = crate::digits::to_ascii(input)
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The grouped form shown to people.
pub fn display(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(feature = "server")]
pub fn generate() -> String {
    from_bits(rand::random::<u64>() >> 4)
}

/// 128 random bits from the operating system's generator, in hex (idempotency keys, draft
/// ids): unguessable, so nobody can replay or read another customer's form.
#[cfg(feature = "server")]
pub fn random_token() -> String {
    hex(&rand::random::<[u8; 16]>())
}

/// Lower-case hex, for tokens and digests.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twelve_unambiguous_symbols() {
        let code = from_bits(0x0FFF_FFFF_FFFF_FFFF);
        assert_eq!(code, "ZZZZZZZZZZZZ");
        assert_eq!(from_bits(0), "000000000000");
        assert_eq!(display("7K3MQ9XPR2TD"), "7K3M-Q9XP-R2TD");
    }

    #[test]
    fn lookups_forgive_how_people_type() {
        assert_eq!(normalize("7k3m-q9xp-r2td"), Some("7K3MQ9XPR2TD".into()));
        assert_eq!(normalize(" 7K3M Q9XP R2TD "), Some("7K3MQ9XPR2TD".into()));
        assert_eq!(normalize("OIL0-0000-0000"), Some("011000000000".into()));
        assert_eq!(normalize("۷K3M-Q9XP-R2TD"), Some("7K3MQ9XPR2TD".into()));
        assert_eq!(normalize("7K3M-Q9XP-R2T"), None);
        assert_eq!(normalize("7K3M-Q9XP-R2TU"), None);
        assert_eq!(normalize("../../etc/passwd"), None);
    }

    #[cfg(feature = "server")]
    #[test]
    fn generated_codes_differ_and_normalize_to_themselves() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(normalize(&display(&a)), Some(a));
    }
}
