//! The back office's live news (`/admin/events`, `engine::activity`): a signed-in merchant's
//! open page hears of every move of their store's payments (and only theirs), with the count
//! of bank slips waiting, until the session ends or the server stops.

use std::time::Duration;

use crate::common::browser::{self, Browser};
use crate::common::{database_urls, no_redirects, serve_with, slip_at};

const SLUG: &str = "live-news";

/// The stream's next event (keep-alive comments skipped): its name and data.
async fn next_event(stream: &mut reqwest::Response, read: &mut String) -> Option<(String, String)> {
    loop {
        if let Some(end) = read.find("\n\n") {
            let block: String = read.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_owned())
            };
            if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                return Some((event, data));
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("the stream says something within 10 s")
            .unwrap()?;
        read.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// Opens the stream, which first says how many slips wait (`slips`).
async fn open(merchant: &mut Browser, slips: &str) -> (reqwest::Response, String) {
    let mut stream = merchant.get("/admin/events").await;
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut read = String::new();
    let first = next_event(&mut stream, &mut read).await;
    assert_eq!(first, event("slips", slips), "the count comes first");
    (stream, read)
}

fn event(name: &str, data: &str) -> Option<(String, String)> {
    Some((name.into(), data.into()))
}

#[tokio::test]
async fn an_open_back_office_hears_of_its_own_stores_payments() {
    for database in database_urls().await {
        let app = serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        let stranger = no_redirects()
            .get(format!("{}/admin/events", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), 204, "an EventSource stops asking");

        let mut merchant = browser::signed_up(&app, SLUG, "dana@live-news.test").await;
        let (mut stream, mut read) = open(&mut merchant, "0").await;
        // Another store's slip is not this store's news (it would come first: a look a
        // second later sees both).
        slip_at(&app, server::demo::IL_SLUG, "Noa Levi", "", "en").await;
        tokio::time::sleep(engine::activity::EVERY + Duration::from_millis(500)).await;
        slip_at(&app, SLUG, "Navid Karimi", "", "en").await;
        let news = next_event(&mut stream, &mut read).await;
        assert_eq!(news, event("moved", "1"), "one slip waits");

        // Logging out ends the news at the next move.
        let to = merchant.submit("/api/admin/logout", &[]).await;
        assert_eq!(to, "/admin/login");
        slip_at(&app, SLUG, "Sara Ahmadi", "", "en").await;
        assert_eq!(next_event(&mut stream, &mut read).await, None);

        // Stopping the server ends it too, so it never holds a graceful shutdown.
        let mut merchant = browser::Browser::new(&app);
        browser::log_in(&mut merchant, "dana@live-news.test", browser::PASSWORD).await;
        let (mut stream, mut read) = open(&mut merchant, "2").await;
        app.state.activity.close();
        assert_eq!(next_event(&mut stream, &mut read).await, None);
    }
}
