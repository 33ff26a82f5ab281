//! Provider credentials at rest: sealed with AES-256-GCM under the server's key, bound to the
//! store they belong to (a sealed value copied into another store's row does not open), shown
//! to merchants only masked. The key comes from `KASSA_SECRET_KEY` or, for the embedded
//! default, from a key file Kassa creates in its data directory.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secret key must be 32 bytes, written as 64 hex digits or in base64")]
    BadKey,
    #[error("the secret key file {0}: {1}")]
    KeyFile(String, std::io::Error),
    #[error("a sealed secret does not open with this key (wrong key, or copied from elsewhere)")]
    Unreadable,
}

/// A credential in the clear (a seller key, an API secret, a URL with a password, a private
/// key), for the code that must use it; nothing prints it: its `Debug` shows only that it is
/// there, it has no `Display`, and reading it takes [`Secret::expose`], which names the intent.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: impl Into<T>) -> Secret<T> {
        Secret(value.into())
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_owned())
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The key that seals secrets, and a key derived from it that signs payment links. Its
/// `Debug` shows nothing of either.
#[derive(Clone)]
pub struct SecretKey {
    cipher: Aes256Gcm,
    signing: [u8; 32],
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

const VERSION: &str = "v1.";

impl SecretKey {
    /// A fresh random key (tests, and the first start of the embedded default).
    pub fn generate() -> SecretKey {
        SecretKey::from_bytes(&rand::random::<[u8; 32]>())
    }

    fn from_bytes(bytes: &[u8; 32]) -> SecretKey {
        // One key per purpose: the signing key is HMAC(key, purpose), so a signature never
        // reveals anything about the sealing key.
        let signing = hmac_sha256(bytes, b"kassa/payment-links/v1");
        SecretKey {
            cipher: Aes256Gcm::new(bytes.into()),
            signing,
        }
    }

    /// HMAC-SHA256 of `message` under the signing key, in hex.
    pub fn sign(&self, message: &str) -> String {
        crate::tracking::hex(&hmac_sha256(&self.signing, message.as_bytes()))
    }

    /// Whether `signature` is `sign(message)`, compared in constant time.
    pub fn verify(&self, message: &str, signature: &str) -> bool {
        use hmac::Mac;
        let Some(tag) = unhex(signature) else {
            return false;
        };
        let mut mac =
            <HmacSha256 as hmac::Mac>::new_from_slice(&self.signing).expect("HMAC takes any key");
        mac.update(message.as_bytes());
        mac.verify_slice(&tag).is_ok()
    }

    /// Reads a key written as 64 hex digits or as base64.
    pub fn parse(text: &str) -> Result<SecretKey, SecretError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| SecretError::BadKey)?
        } else {
            BASE64.decode(text).map_err(|_| SecretError::BadKey)?
        };
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(SecretKey::from_bytes(&bytes))
    }

    /// Reads the key file, or creates it (readable by its owner only) with a new key.
    pub fn load_or_create(path: &Path) -> Result<SecretKey, SecretError> {
        let error = |e| SecretError::KeyFile(path.display().to_string(), e);
        match std::fs::read_to_string(path) {
            Ok(text) => SecretKey::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(error)?;
                }
                let bytes = rand::random::<[u8; 32]>();
                write_private(path, &crate::tracking::hex(&bytes)).map_err(error)?;
                Ok(SecretKey::from_bytes(&bytes))
            }
            Err(e) => Err(error(e)),
        }
    }

    /// Seals `plain` for `context` (which store it belongs to): `v1.` + base64(nonce ‖ ciphertext).
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let nonce = rand::random::<[u8; 12]>();
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: context.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .expect("AES-GCM encrypts any message shorter than 64 GB");
        format!("{VERSION}{}", BASE64.encode([&nonce[..], &sealed].concat()))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<String, SecretError> {
        let bytes = sealed
            .strip_prefix(VERSION)
            .and_then(|b| BASE64.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or(SecretError::Unreadable)?;
        let (nonce, sealed) = bytes.split_at(12);
        let payload = Payload {
            msg: sealed,
            aad: context.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SecretError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unreadable)
    }
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    let mut mac = <HmacSha256 as hmac::Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
        .collect()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// How a saved secret is shown: its last four characters after bullets (`••••2c3d`); short
/// secrets show nothing of themselves. A PEM key shows the end of its base64 body, not of its
/// `-----END …-----` line, so it can be told from another key.
pub fn mask(secret: &str) -> String {
    let body: String = if secret.trim_start().starts_with("-----BEGIN") {
        secret
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with("-----"))
            .collect()
    } else {
        secret.to_owned()
    };
    let chars: Vec<char> = body.chars().collect();
    if chars.len() < 12 {
        return "••••".to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("••••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_store() {
        let key = SecretKey::generate();
        let sealed = key.seal("MPL12345-ABCDEFGH-IJKLMNOP-QRSTUVWX", "store:7");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("MPL"));
        assert_ne!(
            sealed,
            key.seal("MPL12345-ABCDEFGH-IJKLMNOP-QRSTUVWX", "store:7")
        );
        assert_eq!(
            key.open(&sealed, "store:7").unwrap(),
            "MPL12345-ABCDEFGH-IJKLMNOP-QRSTUVWX"
        );
        assert!(key.open(&sealed, "store:8").is_err(), "bound to its store");
        assert!(SecretKey::generate().open(&sealed, "store:7").is_err());
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert!(key.open(&tampered, "store:7").is_err());
        assert!(key.open("v1.AAAA", "store:7").is_err());
        assert!(key.open("plain text", "store:7").is_err());
    }

    #[test]
    fn keys_are_read_as_hex_or_base64_and_files_are_private() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let a = SecretKey::parse(hex).unwrap();
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let b64 = BASE64.encode(bytes);
        let b = SecretKey::parse(&b64).unwrap();
        assert_eq!(b.open(&a.seal("x", "c"), "c").unwrap(), "x");
        assert!(SecretKey::parse("too short").is_err());
        assert!(SecretKey::parse(&"ab".repeat(31)).is_err());

        let dir =
            std::env::temp_dir().join(format!("kassa-key-{}", crate::tracking::random_token()));
        let path = dir.join("secret.key");
        let first = SecretKey::load_or_create(&path).unwrap();
        let again = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(again.open(&first.seal("x", "c"), "c").unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let key = SecretKey::generate();
        let sig = key.sign("1\ntoken\nprice=10");
        assert_eq!(sig.len(), 64);
        assert!(key.verify("1\ntoken\nprice=10", &sig));
        assert!(!key.verify("1\ntoken\nprice=11", &sig));
        assert!(!SecretKey::generate().verify("1\ntoken\nprice=10", &sig));
        for bad in ["", "zz", &sig[..63], &sig[..62], "é"] {
            assert!(!key.verify("1\ntoken\nprice=10", bad), "{bad}");
        }
        let same = SecretKey::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(
            same.sign("m"),
            SecretKey::parse(&"ab".repeat(32)).unwrap().sign("m")
        );
    }

    #[test]
    fn masks_show_the_last_four_characters_only() {
        assert_eq!(mask("5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d"), "••••2c3d");
        assert_eq!(mask("short"), "••••");
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIICXAIBAAKBgQCf0Tdc\nq2Z7wXyZ\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(mask(pem), "••••wXyZ");
    }
}
