//! One typed settings value, read from (lowest to highest precedence) the defaults, a TOML file
//! (`--config` / `KLARSICHT_CONFIG`), environment variables and command-line flags, then
//! checked as a whole before anything starts.

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
};

use app::server::db::{DatabaseUrl, DatabaseUrlError};
use clap::{Args, Parser, Subcommand, ValueEnum};
use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// The secret is at least this long in production mode.
pub const MINIMUM_SECRET_LENGTH: usize = 32;

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

#[derive(Clone, Copy, Debug, Default, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    #[default]
    Serve,
    /// Apply the database migrations, then exit.
    Migrate,
    /// Load the demo data (development mode only; idempotent), then exit.
    DemoData,
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

    /// Address and port to listen on [default: 127.0.0.1:3000].
    #[arg(
        long,
        env = "KLARSICHT_LISTEN",
        value_name = "ADDR:PORT",
        global = true
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,

    /// sqlite://path/to/file.db or postgres://user@host:5432/name [default: sqlite://data/klarsicht.db].
    #[arg(long, env = "DATABASE_URL", value_name = "URL", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,

    /// Most database connections this instance opens [default: 10].
    #[arg(
        long,
        env = "KLARSICHT_DATABASE_MAX_CONNECTIONS",
        value_name = "N",
        global = true
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_max_connections: Option<u32>,

    /// The server's secret, at least 32 characters; required in production.
    #[arg(
        long,
        env = "KLARSICHT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        global = true
    )]
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

    /// Seconds open requests may take to finish after a stop signal [default: 10].
    #[arg(
        long,
        env = "KLARSICHT_SHUTDOWN_GRACE_SECONDS",
        value_name = "SECONDS",
        global = true
    )]
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

/// The checked settings the server runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub mode: Mode,
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    pub database_max_connections: u32,
    pub secret: Secret,
    pub demo_data: bool,
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    pub shutdown_grace_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "the settings file {0} does not exist: create it, or leave out --config / KLARSICHT_CONFIG"
    )]
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
    #[error(
        "KLARSICHT_DEMO_DATA=true is refused in production mode: demo data is for development only"
    )]
    DemoDataInProduction,
    #[error("KLARSICHT_DATABASE_MAX_CONNECTIONS must be between 1 and 1000")]
    MaxConnections,
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

        let database_url = DatabaseUrl::parse(
            input
                .database_url
                .as_deref()
                .unwrap_or("sqlite://data/klarsicht.db"),
        )?;

        Ok(Self {
            mode,
            listen: input
                .listen
                .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 3000))),
            database_url,
            database_max_connections,
            secret,
            demo_data,
            site_root: input
                .site_root
                .unwrap_or_else(|| PathBuf::from("target/site")),
            log_format: input.log_format.unwrap_or(if production {
                LogFormat::Json
            } else {
                LogFormat::Pretty
            }),
            shutdown_grace_seconds: input.shutdown_grace_seconds.unwrap_or(10),
        })
    }
}
