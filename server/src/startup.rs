//! Start-up: bind the port, connect and migrate the database, load demo data when asked, and
//! hand back the running application with its address (port 0 picks a free one, for tests).

use std::{future::Future, net::SocketAddr, time::Duration};

use app::server::db::{Database, DatabaseError};
use tokio::net::TcpListener;

use crate::{
    routes,
    settings::{Mode, Settings},
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(
        "port {port} on {ip} is already in use: stop the program using it, or choose another with {setting}"
    )]
    AddressInUse { ip: std::net::IpAddr, port: u16, setting: &'static str },
    #[error("cannot listen on {address} ({source}): choose another address with {setting}")]
    Bind { address: SocketAddr, source: std::io::Error, setting: &'static str },
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error("demo data is for development only: production mode never loads it")]
    DemoDataInProduction,
    #[error("{0}: correct its settings (KLARSICHT_*_OIDC_*, KLARSICHT_PUBLIC_URL)")]
    SignIn(String),
}

/// The application, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    router: axum::Router,
    database: Database,
    shutdown_grace: Duration,
    session_cleanup: tokio::task::JoinHandle<()>,
    /// Places the access log's new entries into its Merkle tree.
    sequencer: tokio::task::JoinHandle<()>,
    /// Where `/metrics` is served, and the task serving it.
    metrics: Option<(SocketAddr, tokio::task::JoinHandle<()>)>,
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        // Bind first: a port in use is reported before the database is touched.
        let (listener, address) = bind(settings.listen, "KLARSICHT_LISTEN").await?;
        let metrics_listener = match settings.metrics_listen {
            Some(metrics_address) => Some(bind(metrics_address, "KLARSICHT_METRICS_LISTEN").await?),
            None => None,
        };
        crate::metrics::install();

        let database = connect_and_migrate(settings).await?;
        if settings.demo_data && settings.mode == Mode::Development && database.is_unconfigured().await? {
            database.load_demo_data().await?;
            tracing::info!("loaded the demo data into the empty database");
        }

        let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{address}"));
        let setup = routes::sign_in_setup(settings, &public_url).map_err(StartupError::SignIn)?;
        let router = routes::router(settings, &database, setup);
        let session_cleanup = spawn_housekeeping(&database);
        let sequencer = app::server::access_log::sequencer::Sequencer::new(&database, settings.log_signer.clone(), settings.witness.clone());
        say_whether_behind(&sequencer).await?;
        let sequencer = tokio::spawn(sequencer.run());
        let metrics = metrics_listener.map(|(listener, address)| (address, crate::metrics::serve(listener)));
        Ok(Self {
            listener,
            address,
            router,
            database,
            shutdown_grace: Duration::from_secs(settings.shutdown_grace_seconds),
            session_cleanup,
            sequencer,
            metrics,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where Prometheus scrapes `/metrics`, if the settings give an address for it.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(address, _)| *address)
    }

    pub fn database_kind(&self) -> &'static str {
        self.database.kind().as_str()
    }

    /// Serves until SIGINT or SIGTERM, then lets open requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(stop_signal()).await
    }

    /// Serves until `stop` completes, then lets open requests finish (up to the grace period)
    /// and closes the database pool.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Self { listener, router, database, shutdown_grace, session_cleanup, sequencer, metrics, .. } = self;
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(listener, service).with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("stopping: finishing open requests");
            let _receiver_may_be_gone = stopping_tx.send(());
        });
        let served = tokio::select! {
            served = server => served,
            () = async move {
                // Once stopping, wait at most the grace period for open requests.
                let _sender_dropped = stopping_rx.await;
                tokio::time::sleep(shutdown_grace).await;
                tracing::warn!("open requests did not finish within the grace period");
            } => Ok(()),
        };
        session_cleanup.abort();
        sequencer.abort();
        if let Some((_, metrics)) = metrics {
            metrics.abort();
        }
        database.close().await;
        tracing::info!("stopped");
        served
    }
}

/// Asks the witness, before anything is placed, whether it cosigned more of the access log than
/// the database holds (a restore from a backup that lost entries); if so, or if an earlier start
/// found so and no operator declared the gap yet, says so: staff reads are refused until then.
async fn say_whether_behind(sequencer: &app::server::access_log::sequencer::Sequencer) -> Result<(), StartupError> {
    if let Err(error) = sequencer.probe_witness().await {
        tracing::error!(%error, "could not ask the access log's witness at start-up");
    }
    if let Some(gap) = sequencer.gap().await? {
        tracing::error!(
            witnessed = gap.witnessed,
            restored = gap.restored,
            behind = gap.entries(),
            "the access log is {} entries behind the checkpoint its witness cosigned: staff cannot read citizens' data until an operator declares the gap with `server declare-gap --reason …` (docs/operations.md)",
            gap.entries()
        );
    }
    Ok(())
}

/// Binds `address`; an address in use is said so, with the `setting` that changes it.
async fn bind(address: SocketAddr, setting: &'static str) -> Result<(TcpListener, SocketAddr), StartupError> {
    let listener = TcpListener::bind(address).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            StartupError::AddressInUse { ip: address.ip(), port: address.port(), setting }
        } else {
            StartupError::Bind { address, source, setting }
        }
    })?;
    let bound = listener.local_addr().map_err(|source| StartupError::Bind { address, source, setting })?;
    Ok((listener, bound))
}

/// Every ten minutes: deletes expired sessions from the store, and records consents and
/// emergency accesses whose time ran out (the rule ends them on time regardless). Once a day,
/// from the first round on: the retention run.
fn spawn_housekeeping(database: &Database) -> tokio::task::JoinHandle<()> {
    use app::server::retention::Retention;
    use tower_sessions::session_store::ExpiredDeletion;
    let store = app::server::auth::store::SessionStoreBackend::new(database);
    let retention = Retention::new(database.clone());
    tokio::spawn(async move {
        let period = Duration::from_secs(600);
        // The first round after one period, not at start: start-up has enough to do.
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        let rounds_a_day = 24 * 6;
        let mut round: u64 = 0;
        loop {
            every.tick().await;
            round = round.wrapping_add(1);
            if round % rounds_a_day == 1 {
                match retention.run_retention(app::server::db::Timestamp::now()).await {
                    Ok(report) => tracing::info!(deleted = report.deleted, anonymized = report.anonymized, "retention run"),
                    Err(error) => tracing::warn!(%error, "the retention run failed; it is tried again tomorrow"),
                }
            }
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "expired sessions could not be deleted");
            }
            match retention.record_expired_consents().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "expired consents recorded"),
                Err(error) => tracing::warn!(%error, "expired consents could not be recorded"),
            }
            match retention.record_expired_emergencies().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "expired emergency accesses recorded"),
                Err(error) => tracing::warn!(%error, "expired emergency accesses could not be recorded"),
            }
        }
    })
}

/// `server retention`.
pub async fn retention(settings: &Settings) -> Result<app::admin::RetentionReport, StartupError> {
    let database = connect_and_migrate(settings).await?;
    let report = app::server::retention::Retention::new(database.clone()).run_retention(app::server::db::Timestamp::now()).await?;
    database.close().await;
    Ok(report)
}

/// `server verify-access-log`: the Merkle tree recomputed from every leaf, against the stored
/// tiles, every signed checkpoint and the witness's cosignatures. What it cannot find alone is
/// the database set back to a state it really had (entries, tiles and checkpoints of that
/// time); the witness and the citizens' browsers, which keep the newest state they saw, can.
pub async fn verify_access_log(settings: &Settings) -> Result<app::server::access_log::sequencer::TreeVerification, StartupError> {
    use app::server::access_log::sequencer::Sequencer;
    let database = connect_and_migrate(settings).await?;
    let tree = Sequencer::new(&database, settings.log_signer.clone(), settings.witness.clone()).verify().await?;
    database.close().await;
    Ok(tree)
}

/// `server declare-gap --reason TEXT`: declares the gaps the sequencer recorded, answering
/// them (none when the log is not behind its witness).
pub async fn declare_gap(settings: &Settings, reason: &str) -> Result<Vec<app::server::access_log::sequencer::Gap>, StartupError> {
    let database = connect_and_migrate(settings).await?;
    let declared = database.declare_access_log_gap(reason).await;
    database.close().await;
    Ok(declared?)
}

/// `server backup --to FILE`.
pub async fn back_up(settings: &Settings, file: &std::path::Path) -> Result<(), StartupError> {
    let database = connect_and_migrate(settings).await?;
    let copied = database.back_up_to(file).await;
    database.close().await;
    Ok(copied?)
}

/// `server migrate`.
pub async fn migrate(settings: &Settings) -> Result<(), StartupError> {
    connect_and_migrate(settings).await?.close().await;
    Ok(())
}

/// `server demo-data`: loads the demo data on explicit request, never in production.
pub async fn load_demo_data(settings: &Settings) -> Result<(), StartupError> {
    if settings.mode == Mode::Production {
        return Err(StartupError::DemoDataInProduction);
    }
    let database = connect_and_migrate(settings).await?;
    database.load_demo_data().await?;
    database.close().await;
    Ok(())
}

async fn connect_and_migrate(settings: &Settings) -> Result<Database, StartupError> {
    let database =
        Database::connect_with(&settings.database_url, settings.office_database_url.as_ref(), settings.database_max_connections).await?;
    database.migrate().await?;
    database.check_office_login().await?;
    Ok(database)
}

/// Completes on Ctrl-C or SIGTERM (what container runtimes send).
async fn stop_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
