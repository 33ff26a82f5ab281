//! Customer pages under concurrent load never panic. Leptos renders each page in a reactive
//! owner of its own; a value read after that owner is gone panics in a server task ("reactive
//! value … already been disposed"), which a client may not see but the log does: this test
//! counts every panic in the process while 16 clients load each page at once.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::provider::{Order, method_of, pay_form};
use engine::checkout::Submitted;
use server::demo::EU_SLUG;

const CLIENTS: usize = 16;
const REQUESTS: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_under_concurrent_load_never_panic() {
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));

    let app = common::serve(true).await;
    let method = method_of(&app, EU_SLUG, "everypay").await;
    let order = Order {
        payer: "Eleni",
        amount: "10.00",
        description: "Order 34",
    };
    let Submitted::ToProvider { code } = app
        .state
        .checkout
        .submit(EU_SLUG, &pay_form(method, "load", &order))
        .await
        .unwrap()
    else {
        panic!("EveryPay takes the payment");
    };
    let paths = [
        "/".to_owned(),
        "/track".to_owned(),
        format!("/track/{code}"),
        format!("/pay/{code}"),
        "/pay/NOSUCHCODE99".to_owned(),
        "/nonexistent".to_owned(),
        "/admin/login".to_owned(),
        format!("/s/{EU_SLUG}/openpay?receivername=Shop&description=Vase&price=12.50"),
    ];
    for path in &paths {
        let url = format!("{}{path}", app.base);
        let clients = (0..CLIENTS).map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for _ in 0..REQUESTS {
                    let page = client.get(&url).send().await.unwrap();
                    assert!(page.status().as_u16() < 500, "{url}: {}", page.status());
                    page.bytes().await.unwrap();
                }
            })
        });
        for client in clients.collect::<Vec<_>>() {
            client.await.unwrap();
        }
        assert_eq!(panics.load(Ordering::SeqCst), 0, "panicked serving {path}");
    }
}
