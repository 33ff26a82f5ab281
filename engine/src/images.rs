//! Uploaded logos: what is accepted (PNG, JPEG, WebP or GIF, recognised by their first bytes,
//! at most [`MAX_BYTES`]) and the address each is served at. SVG is refused: served from
//! Kassa's own origin its scripts would run there.

use serde::{Deserialize, Serialize};

use crate::validation::Problem;

pub const MAX_BYTES: usize = 512 * 1024;

/// Whose logo an image is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageName {
    Store,
    Method(i64),
}

impl ImageName {
    pub fn as_string(self) -> String {
        match self {
            ImageName::Store => "store".to_owned(),
            ImageName::Method(id) => format!("method-{id}"),
        }
    }

    pub fn parse(s: &str) -> Option<ImageName> {
        match s {
            "store" => Some(ImageName::Store),
            _ => s
                .strip_prefix("method-")?
                .parse()
                .ok()
                .filter(|id: &i64| *id > 0)
                .map(ImageName::Method),
        }
    }
}

/// The image's type from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

/// Checks an upload: its type, sniffed.
pub fn check(bytes: &[u8]) -> Result<&'static str, Problem> {
    if bytes.is_empty() {
        return Err(Problem::Required);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Problem::TooLarge);
    }
    sniff(bytes).ok_or(Problem::Invalid)
}

/// Where the image is served; `version` (its update time) makes a new upload a new address,
/// so browsers may cache each for long.
pub fn url(store_id: i64, name: ImageName, version: i64) -> String {
    format!("/logos/{store_id}/{}?v={version}", name.as_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_raster_images_within_the_size_are_accepted() {
        assert_eq!(check(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(check(b"\xFF\xD8\xFF\xE0"), Ok("image/jpeg"));
        assert_eq!(check(b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(check(b"GIF89a"), Ok("image/gif"));
        assert_eq!(check(b"<svg onload=alert(1)>"), Err(Problem::Invalid));
        assert_eq!(
            check(b"<?xml version=\"1.0\"?><svg/>"),
            Err(Problem::Invalid)
        );
        assert_eq!(check(b""), Err(Problem::Required));
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&big), Err(Problem::TooLarge));
    }

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        for name in [ImageName::Store, ImageName::Method(7)] {
            assert_eq!(ImageName::parse(&name.as_string()), Some(name));
        }
        for bad in [
            "",
            "method-",
            "method-0",
            "method--1",
            "method-x",
            "../store",
            "Store",
        ] {
            assert_eq!(ImageName::parse(bad), None, "{bad}");
        }
        assert_eq!(url(3, ImageName::Method(7), 99), "/logos/3/method-7?v=99");
    }
}
