//! One typed settings value, read from (lowest to highest precedence) the defaults, a TOML file
//! (`--config` / `KLARSICHT_CONFIG`), environment variables and command-line flags, then
//! checked as a whole before anything starts.

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
};

use app::server::{
    access_log::{cosignature::CosignatureVerifier, signer::LogSigner, witness::WitnessClient},
    db::{DatabaseKind, DatabaseUrl, DatabaseUrlError},
};
use clap::{Args, Parser, Subcommand, ValueEnum};
use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// The secret is at least this long in production mode.
pub const MINIMUM_SECRET_LENGTH: usize = 32;

/// The access log's name (its checkpoints' origin) in development mode without a key of its own.
const DEVELOPMENT_LOG_NAME: &str = "localhost/klarsicht-zugriffsprotokoll";
/// Used in development mode only, so nobody has to invent a secret to try the portal.
const DEVELOPMENT_SECRET: &str = "klarsicht-development-secret-never-use-in-production";

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Klarsicht: a citizen self-service portal for social help.",
    long_about = "Klarsicht: a citizen self-service portal for social help.\n\n\
        Settings come from (lowest to highest precedence) the defaults, a TOML file given with \
        --config, environment variables and these flags. Keys in the file are the flag names \
        with underscores, e.g. database_url = \"postgres://…\"."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// A TOML file with settings.
    #[arg(long, env = "KLARSICHT_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub settings: SettingsInput,
}

#[derive(Clone, Debug, Default, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    #[default]
    Serve,
    /// Apply the database migrations, then exit.
    Migrate,
    /// Load the demo data (development mode only; idempotent), then exit.
    DemoData,
    /// Check that the access log is intact (the Merkle tree recomputed from every entry, its
    /// tiles, every signed checkpoint and the witness's cosignatures); exit 1 if not.
    VerifyAccessLog,
    /// After a restore from a backup that lost entries of the access log (the portal then says
    /// at start-up and on every staff page how many, and refuses staff reads): declare the gap,
    /// with the reason citizens are shown on their access-log page. Staff read again. Then exit.
    DeclareGap {
        /// Why entries were lost, in plain words for citizens: what happened, which backup.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// For the witness's operator, after the portal declared a gap: accept the restored log's
    /// checkpoint as the one the witness last cosigned, so that it cosigns the log's new
    /// history. Stop the witness first, start it again after; its state keeps the acceptance.
    WitnessAcceptGap {
        /// The witness's state file.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The portal's verifier key (`GET /log/key`).
        #[arg(long, env = "KLARSICHT_WITNESS_LOG_KEY", value_name = "KEY")]
        log_key: String,
        /// The restored log's checkpoint, as the portal's `GET /log/checkpoint` serves it.
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
        /// Why, as the portal's operators declared it.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Check the access-log proofs of a data export offline (each entry's `log_proof`): the
    /// checkpoint's signatures, that the leaf says what the export says, and that it is in the
    /// tree; exit 1 if any fails. Needs nothing but the file and the keys.
    VerifyProof {
        /// The data export (`Ihre Daten herunterladen` on the access-log page).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The portal's verifier key (`GET /log/key`, or `server log-key`).
        #[arg(long, value_name = "KEY")]
        log_key: String,
        /// The witness's verifier key; without it, the witness's cosignatures are not checked.
        #[arg(long, value_name = "KEY")]
        witness_key: Option<String>,
    },
    /// With --name: make a new key to sign the access log's checkpoints and print it (keep it
    /// secret, set it as KLARSICHT_LOG_SIGNING_KEY) and its verifier key (which anyone may have).
    /// Without: print the verifier key of the key the settings give. Then exit.
    LogKey {
        /// The log's name, the first line of every checkpoint: the portal's host and a path,
        /// like klarsicht.stadt.example/zugriffsprotokoll.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Serve a witness of the access log (C2SP tlog-witness): a process of its own, with its own
    /// key and state, that cosigns each checkpoint only if it extends the last one it cosigned.
    Witness {
        /// Address and port to listen on.
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:3100")]
        listen: SocketAddr,
        /// The file that keeps what the witness last cosigned; back it up, never reset it.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// Start a new witness: its state file must not exist yet. Only once, with a new key.
        #[arg(long)]
        init: bool,
        /// The witness's own key, as `server witness-key` prints it.
        #[arg(long, env = "KLARSICHT_WITNESS_SIGNING_KEY", value_name = "KEY", hide_env_values = true)]
        signing_key: Option<String>,
        /// The portal's verifier key (`GET /log/key`), whose checkpoints it witnesses.
        #[arg(long, env = "KLARSICHT_WITNESS_LOG_KEY", value_name = "KEY")]
        log_key: String,
    },
    /// Make a new key for a witness; print it (keep it secret) and its verifier key (which the
    /// portal is given as KLARSICHT_WITNESS_KEY), then exit.
    WitnessKey {
        /// The witness's name: its operator's host and a path, like datenschutz.stadt.example/zeuge.
        #[arg(long, value_name = "NAME")]
        name: String,
    },
    /// Remove the data of closed applications past their categories' retention, record the
    /// run, then exit. The server also runs this once a day.
    Retention,
    /// Copy the SQLite database to a new file, consistent while the portal serves, then exit.
    /// (PostgreSQL: use pg_dump, see the README.)
    Backup {
        /// The new file; an existing one is never overwritten.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
}

/// Development or production. Production refuses insecure settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Development,
    Production,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Production => "production",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines (the default in development).
    #[default]
    Pretty,
    /// One JSON object per line (the default in production).
    Json,
}

/// The settings as given, before they are checked. Every field is optional so that a layer
/// only overrides what it sets.
#[derive(Clone, Debug, Default, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// development or production [default: development].
    #[arg(long, env = "KLARSICHT_MODE", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,

    /// Address and port to listen on; a loopback address in development mode [default: 127.0.0.1:3000].
    #[arg(long, env = "KLARSICHT_LISTEN", value_name = "ADDR:PORT", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,

    /// sqlite://path/to/file.db or postgres://user@host:5432/name [default: sqlite://data/klarsicht.db].
    #[arg(long, env = "DATABASE_URL", value_name = "URL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,

    /// PostgreSQL only: the user the office's connections sign in as (sign-in, directory,
    /// administration, the access log's checks), a member of the role klarsicht_office that
    /// reads none of the citizens' records [default: DATABASE_URL's user, taking that role].
    #[arg(long, env = "KLARSICHT_OFFICE_DATABASE_URL", value_name = "URL", hide_env_values = true, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_database_url: Option<String>,

    /// Most database connections this instance opens [default: 10].
    #[arg(long, env = "KLARSICHT_DATABASE_MAX_CONNECTIONS", value_name = "N", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_max_connections: Option<u32>,

    /// The server's secret, at least 32 characters; required in production.
    #[arg(long, env = "KLARSICHT_SECRET", value_name = "SECRET", hide_env_values = true, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,

    /// Load the demo people into an empty database at start (development only) [default: true in development].
    #[arg(long, env = "KLARSICHT_DEMO_DATA", value_name = "BOOL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_data: Option<bool>,

    /// Where the built site (pkg/ with the WebAssembly, CSS, favicon) lies [default: target/site].
    #[arg(long, env = "KLARSICHT_SITE_ROOT", value_name = "DIR", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_root: Option<PathBuf>,

    /// pretty or json [default: pretty in development, json in production].
    #[arg(long, env = "KLARSICHT_LOG_FORMAT", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,

    /// The address people reach the portal at (https in production); sign-in redirect URLs
    /// derive from it [default: http:// and the listen address, in development].
    #[arg(long, env = "KLARSICHT_PUBLIC_URL", value_name = "URL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,

    /// The citizens' OpenID provider (its issuer URL, e.g. a city's citizen account).
    #[arg(long, env = "KLARSICHT_CITIZEN_OIDC_ISSUER", value_name = "URL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citizen_oidc_issuer: Option<String>,

    /// The portal's client id at the citizens' provider.
    #[arg(long, env = "KLARSICHT_CITIZEN_OIDC_CLIENT_ID", value_name = "ID", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citizen_oidc_client_id: Option<String>,

    /// The portal's client secret at the citizens' provider.
    #[arg(
        long,
        env = "KLARSICHT_CITIZEN_OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        global = true
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citizen_oidc_client_secret: Option<String>,

    /// The staff's OpenID provider (e.g. the administration's directory; may be the same).
    #[arg(long, env = "KLARSICHT_STAFF_OIDC_ISSUER", value_name = "URL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_oidc_issuer: Option<String>,

    /// The portal's client id at the staff's provider.
    #[arg(long, env = "KLARSICHT_STAFF_OIDC_CLIENT_ID", value_name = "ID", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_oidc_client_id: Option<String>,

    /// The portal's client secret at the staff's provider.
    #[arg(
        long,
        env = "KLARSICHT_STAFF_OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        global = true
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_oidc_client_secret: Option<String>,

    /// Offer signing in as a demo person without a provider (development only) [default: true in development].
    #[arg(long, env = "KLARSICHT_DEMO_SIGN_IN", value_name = "BOOL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_sign_in: Option<bool>,

    /// Minutes without a request after which a session ends [default: 30].
    #[arg(long, env = "KLARSICHT_SESSION_IDLE_MINUTES", value_name = "MINUTES", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_idle_minutes: Option<u32>,

    /// Hours after sign-in at which a session ends however active it is [default: 12].
    #[arg(long, env = "KLARSICHT_SESSION_LIFETIME_HOURS", value_name = "HOURS", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_lifetime_hours: Option<u32>,

    /// Sign-in attempts one client may start per minute [default: 30].
    #[arg(long, env = "KLARSICHT_SIGN_IN_PER_MINUTE", value_name = "N", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_per_minute: Option<u32>,

    /// Application submissions one signed-in person (or, signed out, one client address) may send per minute [default: 10].
    #[arg(long, env = "KLARSICHT_SUBMISSIONS_PER_MINUTE", value_name = "N", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submissions_per_minute: Option<u32>,

    /// Document uploads one signed-in person (or, signed out, one client address) may send per minute [default: 30].
    #[arg(long, env = "KLARSICHT_UPLOADS_PER_MINUTE", value_name = "N", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploads_per_minute: Option<u32>,

    /// Writes of any kind (every server function call that stores something) one signed-in
    /// person, or one client address while signed out, may send per minute [default: 60].
    #[arg(long, env = "KLARSICHT_WRITES_PER_MINUTE", value_name = "N", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes_per_minute: Option<u32>,

    /// The proxies (load balancers) in front of the portal, as IP addresses and CIDR ranges
    /// separated by commas (10.0.0.5, 10.1.0.0/16, fd00::/8). Only for a request from one of them
    /// is the client's address, which the rate limits count by, taken from X-Forwarded-For (or,
    /// without that header, Forwarded): the rightmost address that is no trusted proxy. Each proxy
    /// must append the address it received the request from to X-Forwarded-For, or, if it writes
    /// Forwarded instead, remove any X-Forwarded-For the client sent [default: none].
    #[arg(long, env = "KLARSICHT_TRUSTED_PROXIES", value_name = "ADDRESSES", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_proxies: Option<String>,

    /// Where Prometheus scrapes the metrics (`/metrics`), an address apart from the portal's;
    /// without it no metrics are served [default: none].
    #[arg(long, env = "KLARSICHT_METRICS_LISTEN", value_name = "ADDR:PORT", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_listen: Option<SocketAddr>,

    /// Longest an emergency access (§ 8a SGB VIII) may run once confirmed, in hours [default: 72].
    #[arg(long, env = "KLARSICHT_EMERGENCY_MAX_HOURS", value_name = "HOURS", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_max_hours: Option<u32>,

    /// Latest date, in days ahead, to which a recorded decision may hold an emergency access back from the citizen [default: 90].
    #[arg(long, env = "KLARSICHT_DEFERRAL_MAX_DAYS", value_name = "DAYS", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deferral_max_days: Option<u32>,

    /// The key that signs the access log's checkpoints (`server log-key` makes one); required in production.
    #[arg(long, env = "KLARSICHT_LOG_SIGNING_KEY", value_name = "KEY", hide_env_values = true, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_signing_key: Option<String>,

    /// Where the access log's witness takes checkpoints (its submission prefix, e.g. https://zeuge.example); with KLARSICHT_WITNESS_KEY.
    #[arg(long, env = "KLARSICHT_WITNESS_URL", value_name = "URL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_url: Option<String>,

    /// The witness's verifier key (`server witness-key` prints it), which checks its cosignatures.
    #[arg(long, env = "KLARSICHT_WITNESS_KEY", value_name = "KEY", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness_key: Option<String>,

    /// Seconds open requests may take to finish after a stop signal [default: 10].
    #[arg(long, env = "KLARSICHT_SHUTDOWN_GRACE_SECONDS", value_name = "SECONDS", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown_grace_seconds: Option<u64>,
}

/// A secret that never shows in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret(…)")
    }
}

/// An OpenID provider as configured.
#[derive(Clone, Debug)]
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
}

/// The checked settings the server runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub mode: Mode,
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    /// The office's own sign-in to PostgreSQL, if the operator made one.
    pub office_database_url: Option<DatabaseUrl>,
    pub database_max_connections: u32,
    pub secret: Secret,
    pub demo_data: bool,
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    pub shutdown_grace_seconds: u64,
    /// `None` in development without a setting: then it is `http://` and the bound address.
    pub public_url: Option<String>,
    pub citizen_provider: Option<Provider>,
    pub staff_provider: Option<Provider>,
    pub demo_sign_in: bool,
    pub session_idle_minutes: u32,
    pub session_lifetime_hours: u32,
    pub sign_in_per_minute: u32,
    pub submissions_per_minute: u32,
    pub uploads_per_minute: u32,
    pub writes_per_minute: u32,
    /// Empty unless the portal runs behind proxies.
    pub trusted_proxies: crate::security::TrustedProxies,
    pub metrics_listen: Option<SocketAddr>,
    pub emergency_max_hours: u32,
    pub deferral_max_days: u32,
    /// Signs the access log's checkpoints.
    pub log_signer: LogSigner,
    /// The witness the sequencer asks to cosign each checkpoint, if any.
    pub witness: Option<WitnessClient>,
}

impl Settings {
    /// Cookies marked Secure with the `__Host-` prefix: outside development.
    pub fn secure_cookies(&self) -> bool {
        self.mode == Mode::Production
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the settings file {0} does not exist: create it, or leave out --config / KLARSICHT_CONFIG")]
    MissingFile(PathBuf),
    #[error("the settings cannot be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    DatabaseUrl(#[from] DatabaseUrlError),
    #[error(
        "KLARSICHT_SECRET is missing: production mode needs a secret of at least {MINIMUM_SECRET_LENGTH} characters (for example from `openssl rand -base64 48`)"
    )]
    MissingSecret,
    #[error(
        "KLARSICHT_SECRET is too short: production mode needs at least {MINIMUM_SECRET_LENGTH} characters (for example from `openssl rand -base64 48`)"
    )]
    ShortSecret,
    #[error("KLARSICHT_DEMO_DATA=true is refused in production mode: demo data is for development only")]
    DemoDataInProduction,
    #[error(
        "KLARSICHT_OFFICE_DATABASE_URL cannot be read ({0}): write postgres://user@host:5432/name, with the office's own user"
    )]
    OfficeDatabaseUrl(String),
    #[error(
        "KLARSICHT_OFFICE_DATABASE_URL is for PostgreSQL, where the office's connections may sign in as a user of their own: leave it out with SQLite, or set both to postgres://"
    )]
    OfficeDatabaseUrlWithoutPostgres,
    #[error("KLARSICHT_DATABASE_MAX_CONNECTIONS must be between 1 and 1000")]
    MaxConnections,
    #[error("KLARSICHT_DEMO_SIGN_IN=true is refused in production mode: the demo sign-in is for development only")]
    DemoSignInInProduction,
    #[error(
        "KLARSICHT_PUBLIC_URL {0} is not an http(s) URL without path: write it like https://klarsicht.stadt.example"
    )]
    PublicUrl(String),
    #[error("KLARSICHT_PUBLIC_URL must be set and start with https:// in production mode")]
    PublicUrlNotHttps,
    #[error("{missing} is missing: set it together with {given}")]
    IncompleteProvider { missing: &'static str, given: &'static str },
    #[error(
        "production mode needs a sign-in provider: set KLARSICHT_CITIZEN_OIDC_ISSUER and KLARSICHT_CITIZEN_OIDC_CLIENT_ID (and the STAFF ones)"
    )]
    NoProviderInProduction,
    #[error("{0} must be between 1 and {1}")]
    OutOfRange(&'static str, u32),
    #[error(
        "KLARSICHT_TRUSTED_PROXIES names {0:?}, which is no IP address or CIDR range: list them separated by commas, like 10.0.0.5, 10.1.0.0/16, fd00::/8"
    )]
    TrustedProxy(String),
    #[error(
        "KLARSICHT_LISTEN={0} is refused in development mode, which offers demo people (an administrator among them) and their sign-in without a password to whoever reaches it: set KLARSICHT_MODE=production to serve other machines, or KLARSICHT_LISTEN=127.0.0.1:3000 to try the portal on this one"
    )]
    DevelopmentOffLoopback(SocketAddr),
    #[error(
        "KLARSICHT_LOG_SIGNING_KEY is missing: production mode signs the access log's checkpoints with a key of its own; make one with `server log-key --name <the portal's host>/zugriffsprotokoll` and keep it secret"
    )]
    MissingLogSigningKey,
    #[error(
        "KLARSICHT_LOG_SIGNING_KEY is no signing key (PRIVATE+KEY+<name>+<id>+<key>): use the first line `server log-key` prints"
    )]
    BadLogSigningKey,
    #[error("KLARSICHT_WITNESS_URL and KLARSICHT_WITNESS_KEY go together: set both, or neither")]
    HalfAWitness,
    #[error(
        "KLARSICHT_WITNESS_URL and KLARSICHT_WITNESS_KEY are missing: production mode has every checkpoint of the access log cosigned by an independent witness, which the data protection officer runs (`server witness`, see docs/operations.md); without it, whoever holds the portal's key could rewrite the log unnoticed"
    )]
    NoWitnessInProduction,
    #[error("KLARSICHT_WITNESS_URL must be an http:// or https:// address, like https://zeuge.stadt.example")]
    BadWitnessUrl,
    #[error("KLARSICHT_WITNESS_KEY is no witness verifier key (<name>+<id>+<key>): use the second line `server witness-key` prints")]
    BadWitnessKey,
}

/// Reads one provider's three settings; all or none.
fn provider(
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    names: [&'static str; 2],
) -> Result<Option<Provider>, SettingsError> {
    match (issuer, client_id) {
        (Some(issuer), Some(client_id)) => {
            Ok(Some(Provider { issuer, client_id, client_secret: client_secret.map(Secret) }))
        }
        (None, None) => Ok(None),
        (Some(_), None) => Err(SettingsError::IncompleteProvider { missing: names[1], given: names[0] }),
        (None, Some(_)) => Err(SettingsError::IncompleteProvider { missing: names[0], given: names[1] }),
    }
}

fn in_range(value: Option<u32>, default: u32, max: u32, name: &'static str) -> Result<u32, SettingsError> {
    let value = value.unwrap_or(default);
    if (1..=max).contains(&value) { Ok(value) } else { Err(SettingsError::OutOfRange(name, max)) }
}

impl Cli {
    /// Merges the file under the environment and flags, and checks the result.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        let mut figment = Figment::new();
        if let Some(file) = &self.config {
            if !file.is_file() {
                return Err(SettingsError::MissingFile(file.clone()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        let input: SettingsInput = figment
            .merge(Serialized::defaults(&self.settings))
            .extract()
            .map_err(|error| SettingsError::Unreadable(error.to_string()))?;
        Settings::check(input)
    }
}

impl Settings {
    /// Fills in the defaults and refuses what is unsafe or cannot work.
    pub fn check(input: SettingsInput) -> Result<Self, SettingsError> {
        let mode = input.mode.unwrap_or_default();
        let production = mode == Mode::Production;

        let secret = match (input.secret, production) {
            (Some(secret), true) if secret.chars().count() < MINIMUM_SECRET_LENGTH => {
                return Err(SettingsError::ShortSecret);
            }
            (Some(secret), _) => Secret(secret),
            (None, true) => return Err(SettingsError::MissingSecret),
            (None, false) => Secret(DEVELOPMENT_SECRET.to_owned()),
        };

        let demo_data = input.demo_data.unwrap_or(!production);
        if demo_data && production {
            return Err(SettingsError::DemoDataInProduction);
        }

        let database_max_connections = input.database_max_connections.unwrap_or(10);
        if !(1..=1000).contains(&database_max_connections) {
            return Err(SettingsError::MaxConnections);
        }

        let database_url = DatabaseUrl::parse(input.database_url.as_deref().unwrap_or("sqlite://data/klarsicht.db"))?;
        let office_database_url = match input.office_database_url.as_deref() {
            None => None,
            Some(url) => {
                let url = match DatabaseUrl::parse(url) {
                    Ok(url) => url,
                    Err(DatabaseUrlError::Malformed(reason)) => return Err(SettingsError::OfficeDatabaseUrl(reason)),
                    Err(DatabaseUrlError::NoScheme) => return Err(SettingsError::OfficeDatabaseUrl("no scheme".into())),
                    Err(DatabaseUrlError::UnsupportedScheme(_)) => return Err(SettingsError::OfficeDatabaseUrlWithoutPostgres),
                };
                if url.kind() != DatabaseKind::Postgres || database_url.kind() != DatabaseKind::Postgres {
                    return Err(SettingsError::OfficeDatabaseUrlWithoutPostgres);
                }
                Some(url)
            }
        };
        let listen = input.listen.unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 3000)));
        // Development mode is what runs when KLARSICHT_MODE is forgotten, and its demo sign-in
        // and cookies without Secure are for this machine only. `to_canonical`: ::ffff:127.0.0.1
        // is loopback too.
        if !production && !listen.ip().to_canonical().is_loopback() {
            return Err(SettingsError::DevelopmentOffLoopback(listen));
        }

        let demo_sign_in = input.demo_sign_in.unwrap_or(!production);
        if demo_sign_in && production {
            return Err(SettingsError::DemoSignInInProduction);
        }
        let public_url = input.public_url.map(|url| url.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            let after_scheme = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or_default();
            if after_scheme.is_empty() || after_scheme.contains('/') {
                return Err(SettingsError::PublicUrl(url.clone()));
            }
        }
        if production && !public_url.as_deref().is_some_and(|url| url.starts_with("https://")) {
            return Err(SettingsError::PublicUrlNotHttps);
        }
        let citizen_provider = provider(
            input.citizen_oidc_issuer,
            input.citizen_oidc_client_id,
            input.citizen_oidc_client_secret,
            ["KLARSICHT_CITIZEN_OIDC_ISSUER", "KLARSICHT_CITIZEN_OIDC_CLIENT_ID"],
        )?;
        let staff_provider = provider(
            input.staff_oidc_issuer,
            input.staff_oidc_client_id,
            input.staff_oidc_client_secret,
            ["KLARSICHT_STAFF_OIDC_ISSUER", "KLARSICHT_STAFF_OIDC_CLIENT_ID"],
        )?;
        if production && (citizen_provider.is_none() || staff_provider.is_none()) {
            return Err(SettingsError::NoProviderInProduction);
        }

        let log_signer = match (input.log_signing_key, production) {
            (Some(key), _) => LogSigner::parse(key.trim()).map_err(|_| SettingsError::BadLogSigningKey)?,
            (None, true) => return Err(SettingsError::MissingLogSigningKey),
            (None, false) => LogSigner::for_development(DEVELOPMENT_LOG_NAME, secret.expose())
                .map_err(|_| SettingsError::BadLogSigningKey)?,
        };

        let witness = match (input.witness_url, input.witness_key) {
            (None, None) if production => return Err(SettingsError::NoWitnessInProduction),
            (None, None) => None,
            (Some(url), Some(key)) => {
                let parsed = url::Url::parse(&url).map_err(|_| SettingsError::BadWitnessUrl)?;
                if !["http", "https"].contains(&parsed.scheme()) {
                    return Err(SettingsError::BadWitnessUrl);
                }
                let key = CosignatureVerifier::parse(key.trim()).ok_or(SettingsError::BadWitnessKey)?;
                Some(WitnessClient::new(&url, key))
            }
            _ => return Err(SettingsError::HalfAWitness),
        };

        Ok(Self {
            mode,
            listen,
            database_url,
            office_database_url,
            database_max_connections,
            secret,
            demo_data,
            site_root: input.site_root.unwrap_or_else(|| PathBuf::from("target/site")),
            log_format: input.log_format.unwrap_or(if production { LogFormat::Json } else { LogFormat::Pretty }),
            shutdown_grace_seconds: input.shutdown_grace_seconds.unwrap_or(10),
            public_url,
            citizen_provider,
            staff_provider,
            demo_sign_in,
            session_idle_minutes: in_range(input.session_idle_minutes, 30, 24 * 60, "KLARSICHT_SESSION_IDLE_MINUTES")?,
            session_lifetime_hours: in_range(
                input.session_lifetime_hours,
                12,
                24 * 30,
                "KLARSICHT_SESSION_LIFETIME_HOURS",
            )?,
            sign_in_per_minute: in_range(input.sign_in_per_minute, 30, 10_000, "KLARSICHT_SIGN_IN_PER_MINUTE")?,
            submissions_per_minute: in_range(
                input.submissions_per_minute,
                10,
                10_000,
                "KLARSICHT_SUBMISSIONS_PER_MINUTE",
            )?,
            uploads_per_minute: in_range(input.uploads_per_minute, 30, 10_000, "KLARSICHT_UPLOADS_PER_MINUTE")?,
            writes_per_minute: in_range(input.writes_per_minute, 60, 10_000, "KLARSICHT_WRITES_PER_MINUTE")?,
            trusted_proxies: crate::security::TrustedProxies::parse(
                input.trusted_proxies.as_deref().unwrap_or_default(),
            )
            .map_err(SettingsError::TrustedProxy)?,
            metrics_listen: input.metrics_listen,
            emergency_max_hours: in_range(input.emergency_max_hours, 72, 24 * 14, "KLARSICHT_EMERGENCY_MAX_HOURS")?,
            deferral_max_days: in_range(input.deferral_max_days, 90, 365, "KLARSICHT_DEFERRAL_MAX_DAYS")?,
            log_signer,
            witness,
        })
    }
}
