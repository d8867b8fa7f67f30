//! Generates the typed translation module from `locales/*.json` (German first, English second),
//! and makes cargo rebuild when a migration changes, because `sqlx::migrate!` embeds them.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../migrations");

    let out_dir = std::env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?;
    let module_dir = PathBuf::from(out_dir).join("i18n");

    let config = Config::new("de")?.add_locale("en")?;
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(module_dir)?;
    Ok(())
}
