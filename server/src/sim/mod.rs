//! Provider simulators, served by Kassa in sandbox mode only, so the whole payment flow runs
//! on one machine without the internet. Each one speaks its provider's protocol.

pub mod payme;
pub mod zarinpal;

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
