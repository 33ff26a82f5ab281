//! `kassa`: serves the customer pages (and, in sandbox mode, the provider simulators).

use leptos::prelude::get_configuration;
use server::config::Config;
use server::{demo, startup};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options, set before it starts: its constructor has priority 101, and the linker
/// runs `.init_array.{n}` sections in order of `n` before the unnumbered ones and `main`.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00100")]
static CONFIGURE_ALLOCATOR: extern "C" fn() = server::allocator::configure;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(server::allocator::on_thread_park)
        .build()?
        .block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let leptos_options = get_configuration(None)?.leptos_options;
    let config = Config::from_env(leptos_options.site_addr);
    let key = config.load_secret_key()?;
    let db = engine::db::Db::connect_sized(config.database_url.expose(), config.db_max_connections)
        .await?;
    demo::prepare(&db, &key, config.sandbox).await?;
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    let base = &config.public_url;
    println!("Kassa is listening on http://{}", listener.local_addr()?);
    if !config.sandbox {
        println!("Live mode: no simulators, no demo owners (KASSA_SANDBOX=1 for the sandbox)");
        if config.smtp_url.is_none() {
            println!("No KASSA_SMTP_URL: receipts and notifications cannot be e-mailed");
        }
    }
    if config.sandbox {
        println!("Sandbox mode: provider simulators under {base}/sim and the demo stores");
        println!(
            "Try the payment link: {base}/openpay?receivername=Sara%20Ahmadi&description=Order%201042&price=120000"
        );
        println!(
            "PayMe (ILS) checkout: {base}/s/{}/openpay?receivername=Noa%20Levi&description=Order%2017&price=120.50",
            demo::IL_SLUG
        );
        println!(
            "PayPal (EUR) checkout: {base}/s/{}/openpay?receivername=Anna%20Berzina&description=Order%2023&price=45.00",
            demo::EU_SLUG
        );
        println!("Follow a payment:     {base}/track");
        if config.smtp_url.is_none() {
            println!("Mailbox (what payers and merchants were sent): {base}/sim/mail");
        }
        println!(
            "Back office:          {base}/admin  (log in as {}, {} or {}, password {})",
            demo::OWNER_EMAIL,
            demo::IL_OWNER_EMAIL,
            demo::EU_OWNER_EMAIL,
            demo::OWNER_PASSWORD
        );
        println!(
            "Simulators:           {base}{}, {base}{} (PayMe test card 4557430402053431) and {base}{}",
            server::sim::zarinpal::MOUNT,
            server::sim::payme::MOUNT,
            server::sim::paypal::MOUNT
        );
    }
    tokio::spawn(startup::housekeeping(db.clone()));
    server::precompressed::write_in_background(&leptos_options);
    let state = startup::app_state(&config, db, key)?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let workers = tokio::spawn({
        let queue = state.queue.clone();
        async move { queue.run(stopping).await }
    });
    let activity = state.activity.clone();
    server::allocator::serving();
    let router = startup::router(&config, state, leptos_options);
    // On SIGTERM or Ctrl-C: take no new connections, end the back office's live news, finish
    // the requests under way, then let the workers finish their jobs and hand back what they
    // had not started.
    let shutdown = async move {
        terminated().await;
        activity.close();
    };
    startup::serve(listener, router, shutdown).await?;
    tracing::info!("stopping: finishing the jobs under way");
    let _ = stop.send(true);
    let _ = workers.await;
    Ok(())
}

/// Resolves on SIGTERM (a deploy, `docker stop`) or Ctrl-C.
async fn terminated() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = term => {}
    }
}
