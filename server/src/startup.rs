//! Builds the application from its configuration; binds first so tests can use port 0.

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt;
use engine::checkout::{Checkout, job_outcome};
use engine::connectors::Connectors;
use engine::db::Db;
use engine::jobs::{Handlers, Queue};
use engine::secrets::SecretKey;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::OnceLock;
use tower_http::compression::CompressionLayer;

use app::mail::Mailer;
use app::state::AppState;
use app::{AdminApp, App, shell};

use crate::config::Config;

/// The server state: the app state plus Leptos's options (axum extracts either).
#[derive(Clone, axum::extract::FromRef)]
pub struct ServerState {
    pub app: AppState,
    pub leptos_options: LeptosOptions,
}

pub fn app_state(config: &Config, db: Db, key: SecretKey) -> Result<AppState, String> {
    let connectors = Connectors::new(
        config.test_environments.clone(),
        config.payme_platform.clone(),
        key.clone(),
    );
    let checkout = Checkout::new(db.clone(), connectors, &config.public_url);
    let mailer = Mailer {
        checkout: checkout.clone(),
        postbox: config.postbox(db.clone())?,
    };
    Ok(AppState::new(app::state::Services {
        activity: engine::activity::Activity::new(db.clone()),
        queue: Queue::new(db, handlers(&checkout, &mailer)),
        checkout,
        default_store: config.default_store.clone(),
        trust_forwarded: config.trust_forwarded,
        sign_ups_per_hour: config.sign_ups_per_hour,
        secrets: key,
        payme_signup_url: config.payme_signup_url.clone(),
    }))
}

/// What each kind of job does.
fn handlers(checkout: &Checkout, mailer: &Mailer) -> Handlers {
    let mut handlers = Handlers::default();
    let verifier = checkout.clone();
    handlers.on_marking(engine::db::inbox::VERIFY, move |job, mark| {
        let verifier = verifier.clone();
        async move { job_outcome(&verifier.verify_received(&job.payload, &mark).await, &mark) }
    });
    let poller = checkout.clone();
    handlers.on(engine::polls::KIND, move |job| {
        let poller = poller.clone();
        async move { poller.poll_status(&job.payload).await }
    });
    // What a provider said settles payments (their pages, the merchant's list, the money
    // checked): under a burst it goes before the receipts and e-mails the moves enqueue.
    handlers.first(engine::db::inbox::VERIFY);
    handlers.first(engine::polls::KIND);
    let db = checkout.db().clone();
    handlers.on(engine::effects::RECEIPT, move |job| {
        let db = db.clone();
        async move { engine::effects::issue_receipt(&db, &job.payload).await }
    });
    let db = checkout.db().clone();
    handlers.on(engine::effects::CANCELLATION, move |job| {
        let db = db.clone();
        async move { engine::effects::issue_cancellation(&db, &job.payload).await }
    });
    for kind in engine::effects::MAILS {
        let mailer = mailer.clone();
        handlers.on(kind, move |job| {
            let mailer = mailer.clone();
            async move { mailer.run(job).await }
        });
    }
    handlers
}

/// The routes of the customer pages and the back office, generated once per process. Generating them renders the app with resource
/// loading suspended by a process-wide flag (leptos_server's `SuppressResourceLoad`): a resource
/// that first polls meanwhile, in any other server of the process, never resolves and its page
/// hangs (leptos#4773). A second router (every server test builds one) must not generate again.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES
        .get_or_init(|| {
            let mut routes = generate_route_list(App);
            routes.extend(generate_route_list(AdminApp));
            routes
        })
        .clone()
}

pub fn router(config: &Config, app: AppState, leptos_options: LeptosOptions) -> Router {
    let routes = routes();
    let state = ServerState {
        app: app.clone(),
        leptos_options,
    };
    let context = {
        let app = app.clone();
        move || provide_context(app.clone())
    };
    let mut router = Router::new()
        .route(
            "/pay/{code}/return",
            get(crate::returns::provider_return).post(crate::returns::provider_return_posted),
        )
        .route(
            "/pay/{code}/notify",
            axum::routing::post(crate::returns::provider_notification),
        )
        .route(
            "/notify/{provider}",
            get(crate::returns::account_notification).post(crate::returns::account_notification),
        )
        .route(app::CSV_PATH, get(app::export_csv))
        .route(app::EVENTS_PATH, get(app::live_events))
        .route(app::LOGO_PATH, get(app::serve_logo))
        .route(app::RECEIPT_PDF_PATH, get(app::serve_receipt_pdf))
        .route(
            app::LOGO_UPLOAD_PATH,
            axum::routing::post(app::upload_logo)
                .layer(axum::extract::DefaultBodyLimit::max(app::LOGO_BODY_LIMIT)),
        )
        .route(
            "/api/{*fn_name}",
            axum::routing::post({
                let context = context.clone();
                move |req| leptos_axum::handle_server_fns_with_context(context.clone(), req)
            }),
        )
        .merge(crate::packs::routes(&state.leptos_options))
        .merge(crate::precompressed::routes(&state.leptos_options))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .with_state(state);
    if config.sandbox {
        use crate::sim::{Shop, everypay, mailbox, mypos, payme, paypal, zarinpal};
        let shop = Shop::new(&config.public_url);
        let platform = config
            .payme_platform
            .clone()
            .unwrap_or_else(payme::sandbox_platform);
        router = router
            .nest(zarinpal::MOUNT, zarinpal::routes(shop.clone()))
            .nest(payme::MOUNT, payme::routes(shop.clone(), platform))
            .nest(paypal::MOUNT, paypal::routes(shop.clone()))
            .nest(mypos::MOUNT, mypos::routes(shop.clone()))
            .nest(everypay::MOUNT, everypay::routes(shop))
            .nest(mailbox::MOUNT, mailbox::routes(app.checkout.db().clone()));
    }
    let origin = crate::origin::OriginCheck::new(&config.public_url);
    router
        .layer(axum::middleware::from_fn(
            crate::server_fns::readable_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            origin,
            crate::origin::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app,
            crate::language::choose_language,
        ))
        .layer(axum::middleware::from_fn_with_state(
            crate::headers::Https(config.https()),
            crate::headers::add,
        ))
        .layer(axum::middleware::from_fn(crate::request_owner::own_owner))
        .layer(CompressionLayer::new())
}

/// Purges what is kept only for a while (`engine::housekeeping`) and folds the payments'
/// counts (`db::report::fold_counts`), now and then every `housekeeping::EVERY`, for as long
/// as the server runs.
pub async fn housekeeping(db: Db) {
    let mut every = tokio::time::interval(engine::housekeeping::EVERY);
    loop {
        every.tick().await;
        match engine::housekeeping::purge(&db, engine::time::now_millis()).await {
            Ok(purged) => tracing::debug!(?purged, "housekeeping"),
            Err(err) => tracing::warn!(error = %err, "housekeeping failed; trying again later"),
        }
        match engine::db::report::fold_counts(&db).await {
            Ok(folded) => tracing::debug!(folded, "payment counts folded"),
            Err(err) => tracing::warn!(error = %err, "folding the payment counts failed"),
        }
    }
}

/// Serves until `shutdown` resolves, then finishes the requests under way. Sets TCP_NODELAY:
/// without it every static asset on a keep-alive connection waits ~40 ms for the client's
/// delayed ACK. Requests carry the peer's address (`ConnectInfo`) for the limits per sender.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
