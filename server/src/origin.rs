//! Cross-site request forgery: a page on another site must not make a merchant's browser call
//! a server function. Browsers send `Origin` with every POST (and `Sec-Fetch-Site` with every
//! request); a server-function call whose origin is not Kassa's own is refused before it runs.
//! This backs up the session cookie's `SameSite=Lax`. The sandbox's simulator pages are held
//! to the same rule. Provider callbacks are not server functions and are not checked here
//! (providers post from their own servers or sites).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug)]
pub struct OriginCheck {
    /// `scheme://host[:port]` of `KASSA_PUBLIC_URL`.
    public_origin: String,
}

impl OriginCheck {
    pub fn new(public_url: &str) -> OriginCheck {
        let public_origin = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| public_url.trim_end_matches('/').to_owned());
        OriginCheck { public_origin }
    }

    /// Whether a request with these headers comes from one of Kassa's own pages (or from no
    /// browser at all: a client that sends neither header carries no victim's cookies).
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(origin) = text(header::ORIGIN) {
            let same_host = text(header::HOST).is_some_and(|host| {
                origin
                    .split_once("://")
                    .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
            });
            return origin.eq_ignore_ascii_case(&self.public_origin) || same_host;
        }
        match text(header::HeaderName::from_static("sec-fetch-site")) {
            Some(site) => site == "same-origin" || site == "none",
            None => true,
        }
    }
}

pub async fn refuse_cross_site(
    State(check): State<OriginCheck>,
    req: Request,
    next: Next,
) -> Response {
    // Server functions, and the simulators' pages (paying, cancelling, refunding at a
    // simulated provider must not be something another site can make a browser do).
    let path = req.uri().path();
    let guarded =
        req.method() == Method::POST && (path.starts_with("/api/") || path.starts_with("/sim/"));
    if guarded && !check.allows(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site post");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_kassas_own_pages_may_call_server_functions() {
        let check = OriginCheck::new("https://pay.example.com/");
        let allowed = [
            vec![("origin", "https://pay.example.com")],
            vec![
                ("origin", "http://10.0.0.5:3000"),
                ("host", "10.0.0.5:3000"),
            ],
            vec![("sec-fetch-site", "same-origin")],
            vec![],
        ];
        for h in allowed {
            assert!(check.allows(&headers(&h)), "{h:?}");
        }
        let refused = [
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
            vec![("origin", "https://pay.example.com.evil.example")],
            vec![
                ("origin", "https://evil.example"),
                ("host", "pay.example.com"),
            ],
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "same-site")],
        ];
        for h in refused {
            assert!(!check.allows(&headers(&h)), "{h:?}");
        }
    }
}
