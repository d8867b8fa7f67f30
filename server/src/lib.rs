//! The server library: everything `main` wires together, so tests can start the real
//! application on port 0 with a database of their own.
//!
//! - [`settings`]: one typed settings value from a file, the environment and flags.
//! - [`startup`]: connects, migrates, binds and returns the running [`startup::Application`].
//! - [`routes`]: the axum router: health, language, the Leptos pages, static files.
//! - [`sign_in`]: the sign-in routes (OpenID Connect, demo, sign-out).
//! - [`state`]: what the handlers share.
//! - [`security`]: security headers with the CSP nonce, cross-site refusal, size and rate limits.
//! - [`metrics`]: Prometheus metrics on an address of their own.
//! - [`telemetry`]: structured logs with tracing.

pub mod log_routes;
pub mod metrics;
pub mod refill;
pub mod routes;
pub mod security;
pub mod settings;
pub mod sign_in;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod witness;

/// mimalloc instead of glibc's allocator: rendering a page allocates many small strings from
/// several threads at once, and glibc's `malloc` and `free` took about an eighth of the server's
/// samples under load (`perf`, 32 concurrent case views). Here, so the server binary and the
/// tests and benchmarks that run the server in their process allocate alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use settings::{Cli, Command, SettingsError};
use startup::{Application, StartupError};

/// Everything that can stop the server from doing what it was asked; each says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("the server stopped with an error: {0}")]
    Serve(#[from] std::io::Error),
    #[error("the access log is NOT intact: {0}; restore it from a backup and report it to the data protection officer")]
    AccessLogBroken(String),
    #[error("no key was made: {0}")]
    LogKey(String),
    #[error("the export's proofs do NOT hold: {0}; give the file to the data protection officer")]
    ProofBroken(String),
    #[error(transparent)]
    Witness(#[from] witness::WitnessStartError),
    #[error(transparent)]
    WitnessState(#[from] app::server::access_log::witness::WitnessError),
    #[error("--reason says citizens why entries of the access log were lost: give 1 to 2000 characters in plain words")]
    Reason,
    #[error("the access log is not behind its witness: there is no gap to declare (the portal records one when the witness says it cosigned more than the log holds)")]
    NoGap,
    #[error("cannot read the checkpoint file {0} ({1}): save the portal's GET /log/checkpoint to a file and name it")]
    Checkpoint(std::path::PathBuf, std::io::Error),
}

/// Runs what the command line asks for.
pub async fn run(cli: Cli) -> Result<(), RunError> {
    // The witness and the key commands need none of the portal's settings.
    match &cli.command {
        Some(Command::Witness { listen, state, init, signing_key, log_key }) => {
            telemetry::init(settings::LogFormat::Pretty);
            let (address, serving) = witness::bind(signing_key.as_deref(), log_key, state, *init, *listen).await?;
            tracing::info!(%address, "the access-log witness is serving on http://{address}");
            serving.await?;
            return Ok(());
        }
        Some(Command::WitnessKey { name }) => {
            let cosigner = app::server::access_log::cosignature::Cosigner::generate(name)
                .map_err(|error| RunError::LogKey(format!("{error}: the name must be like datenschutz.stadt.example/zeuge, without spaces or +")))?;
            println!("{}", cosigner.signer_key());
            println!("{}", cosigner.verifier_key());
            return Ok(());
        }
        Some(Command::WitnessAcceptGap { state, log_key, checkpoint, reason }) => {
            let reason = checked_reason(reason)?;
            let note = std::fs::read(checkpoint).map_err(|error| RunError::Checkpoint(checkpoint.clone(), error))?;
            let gap = app::server::access_log::witness::accept_gap(log_key.trim(), state, &note, reason)?;
            println!(
                "the witness accepts the restored log: it had cosigned {} entries, it now stands at {}; start it again, and it cosigns each checkpoint that extends this one",
                gap.from_size, gap.to_size
            );
            return Ok(());
        }
        Some(Command::VerifyProof { file, log_key, witness_key }) => {
            println!("{}", verify_proof(file, log_key, witness_key.as_deref())?);
            return Ok(());
        }
        Some(Command::LogKey { name: Some(name) }) => {
            let signer = app::server::access_log::signer::LogSigner::generate(name)
                .map_err(|error| RunError::LogKey(format!("{error}: the name must be like klarsicht.stadt.example/zugriffsprotokoll, without spaces or +")))?;
            println!("{}", signer.signer_key());
            println!("{}", signer.verifier_key());
            return Ok(());
        }
        _ => {}
    }
    let settings = cli.settings()?;
    telemetry::init(settings.log_format);

    match cli.command.unwrap_or_default() {
        Command::Serve => {
            let application = Application::build(&settings).await?;
            tracing::info!(
                address = %application.address(),
                mode = settings.mode.as_str(),
                database = application.database_kind(),
                "Klarsicht is serving on http://{}",
                application.address()
            );
            application.run_until_stopped().await?;
        }
        Command::Migrate => {
            startup::migrate(&settings).await?;
            tracing::info!("the database schema is up to date");
        }
        Command::DemoData => {
            startup::load_demo_data(&settings).await?;
            tracing::info!("demo data loaded");
        }
        Command::VerifyAccessLog => {
            let tree = startup::verify_access_log(&settings).await?;
            match tree.problem {
                None => println!(
                    "the access log is intact: {} entries in the Merkle tree, {} signed checkpoints, {} cosigned by the witness",
                    tree.leaves, tree.checkpoints, tree.cosignatures
                ),
                Some(problem) => {
                    return Err(RunError::AccessLogBroken(format!(
                        "the Merkle tree: {problem:?} after {} intact leaves and {} checkpoints",
                        tree.leaves, tree.checkpoints
                    )));
                }
            }
        }
        Command::DeclareGap { reason } => {
            let declared = startup::declare_gap(&settings, checked_reason(&reason)?).await?;
            if declared.is_empty() {
                return Err(RunError::NoGap);
            }
            for gap in declared {
                println!(
                    "declared: the access log lost {} entries (the witness had cosigned {}, the restored log holds {}); staff read again, and citizens see the gap with your reason. The witness cosigns again once its operator accepts the restored log with `server witness-accept-gap`, given the portal's GET /log/checkpoint (docs/operations.md)",
                    gap.entries(),
                    gap.witnessed,
                    gap.restored
                );
            }
        }
        Command::LogKey { .. } => println!("{}", settings.log_signer.verifier_key()),
        Command::Witness { .. } | Command::WitnessKey { .. } | Command::VerifyProof { .. } | Command::WitnessAcceptGap { .. } => {}
        Command::Backup { to } => {
            startup::back_up(&settings, &to).await?;
            println!("the database is copied to {}", to.display());
        }
        Command::Retention => {
            let report = startup::retention(&settings).await?;
            println!(
                "retention: {} applications removed, {} reduced to the categories still within retention",
                report.deleted, report.anonymized
            );
        }
    }
    Ok(())
}

/// The most characters a declared gap's reason may have.
const MOST_REASON_CHARS: usize = 2_000;

/// A gap's reason as citizens read it: not empty, not endless.
fn checked_reason(reason: &str) -> Result<&str, RunError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MOST_REASON_CHARS {
        return Err(RunError::Reason);
    }
    Ok(reason)
}

/// `server verify-proof`: checks the access-log proofs of the export in `file` with the keys
/// given, and says in one line what holds.
fn verify_proof(file: &std::path::Path, log_key: &str, witness_key: Option<&str>) -> Result<String, RunError> {
    use app::log_proof::{LogKeys, check_export};
    let text = std::fs::read(file).map_err(|error| RunError::ProofBroken(format!("{} cannot be read ({error})", file.display())))?;
    let export: app::consent::DataExport = serde_json::from_slice(&text)
        .map_err(|error| RunError::ProofBroken(format!("{} is no Klarsicht data export ({error})", file.display())))?;
    let keys = LogKeys { log: log_key.trim().to_owned(), witness: witness_key.map(|key| key.trim().to_owned()) };
    let checked = check_export(&keys, &export).map_err(|(id, finding)| RunError::ProofBroken(format!("entry {id}: {finding:?}")))?;
    let witnessed = match witness_key {
        Some(_) => " and cosigned by the witness",
        None => " (the witness's cosignatures not checked: no --witness-key)",
    };
    Ok(format!(
        "the export's proofs hold: {} access-log entries are in the log as the export says, in checkpoints signed by the portal{witnessed}; {} too new to carry a proof",
        checked.proven, checked.pending
    ))
}
