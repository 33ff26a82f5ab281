//! A browser without JavaScript, and a merchant signed up with it.

use super::{Running, location, no_redirects};

/// A browser without JavaScript: keeps cookies, posts forms from Kassa's own pages.
pub struct Browser {
    pub base: String,
    pub origin: String,
    pub http: reqwest::Client,
    pub cookies: Vec<(String, String)>,
    /// Every `Set-Cookie` header received, as sent.
    pub set_cookies: Vec<String>,
}

impl Browser {
    pub fn new(app: &Running) -> Browser {
        Browser {
            base: app.base.clone(),
            // What a browser sends: the origin customers know Kassa by.
            origin: app.state.checkout.public_url().to_owned(),
            http: no_redirects(),
            cookies: Vec::new(),
            set_cookies: Vec::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all("set-cookie") {
            let header = header.to_str().unwrap().to_owned();
            let pair = header.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !header.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
            self.set_cookies.push(header);
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.send_form(path, fields, "text/html").await
    }

    /// Calls a server function as the hydrated app does (its answer is data, not a page).
    pub async fn call(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.send_form(path, fields, "application/json").await
    }

    /// Calls a server function the app calls from code (a page's data, a check as typed): its
    /// arguments, in order, in postcard, as the wasm sends them (`app::admin::Postcard`).
    pub async fn ask<T: serde::Serialize>(
        &mut self,
        path: &str,
        arguments: &T,
    ) -> reqwest::Response {
        use leptos::server::codee::{Encoder, binary::PostcardCodec};
        let body = <PostcardCodec as Encoder<T>>::encode(arguments).unwrap();
        let request = self
            .posting(path)
            .header("Content-Type", "application/x-postcard")
            .header("Accept", "application/x-postcard")
            .body(body);
        self.send(request).await
    }

    async fn send_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        accept: &str,
    ) -> reqwest::Response {
        let request = self.posting(path).header("Accept", accept).form(fields);
        self.send(request).await
    }

    /// A post from this browser's pages: their origin, and its cookies.
    fn posting(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.origin)
            .header("Cookie", self.cookie_header())
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let response = request.send().await.unwrap();
        self.absorb(&response);
        response
    }

    /// Posts a `multipart/form-data` body of text fields and one file field `file`.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> reqwest::Response {
        let boundary = "kassa-test-boundary-7d93";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"logo\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .posting(path)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request).await
    }

    /// Posts a form and returns where the server sends the browser.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> String {
        let response = self.post(path, fields).await;
        location(response).await
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        self.get_with(path, &[]).await
    }

    /// [`Browser::get`] with more request headers.
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    /// The page's HTML; fails unless it is served (not a redirect).
    pub async fn page(&mut self, path: &str) -> String {
        self.page_with(path, 200).await
    }

    /// A page that answers `status` (a refusal that still says what to do), as it shows: a
    /// back-office page's texts for the browser (every text of its language, `app::texts`)
    /// are left out, or every text would be "on" every page.
    pub async fn page_with(&mut self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        without_texts(response.text().await.unwrap())
    }
}

fn without_texts(mut html: String) -> String {
    let start = format!(
        "<script type=\"application/json\" id=\"{}\">",
        app::texts::ELEMENT_ID
    );
    if let Some(from) = html.find(&start) {
        let to = html[from..]
            .find("</script>")
            .map_or(html.len(), |end| from + end + 9);
        html.replace_range(from..to, "");
    }
    html
}

pub const PASSWORD: &str = "correct horse battery staple";

pub fn sign_up_form<'a>(
    slug: &'a str,
    email: &'a str,
    password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    sign_up_form_in(slug, email, password, "ILS")
}

pub fn sign_up_form_in<'a>(
    slug: &'a str,
    email: &'a str,
    password: &'a str,
    currency: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("store_name", "Dana's Ceramics"),
        ("slug", slug),
        ("currency", currency),
        ("language", "en"),
        ("email", email),
        ("password", password),
    ]
}

pub async fn signed_up(app: &Running, slug: &str, email: &str) -> Browser {
    signed_up_in(app, slug, email, "ILS").await
}

/// A new store in `currency`, its owner logged in.
pub async fn signed_up_in(app: &Running, slug: &str, email: &str, currency: &str) -> Browser {
    let mut browser = Browser::new(app);
    let to = browser
        .submit(
            "/api/admin/signup",
            &sign_up_form_in(slug, email, PASSWORD, currency),
        )
        .await;
    assert_eq!(to, "/admin/settings");
    browser
}

pub async fn log_in(browser: &mut Browser, email: &str, password: &str) -> String {
    browser
        .submit(
            "/api/admin/login",
            &[("email", email), ("password", password)],
        )
        .await
}
