//! Generates the `i18n` module from `locales/*.json` (leptos_i18n), and the providers' texts
//! from `locales/providers/{provider}.json` (each key in every language).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::{Path, PathBuf};

/// The languages, in the order of the generated texts' columns (`crate::provider_texts`).
const LANGUAGES: [&str; 5] = ["en", "he", "fa", "el", "lv"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    // `interpolate_display` lets `td_string!` fill placeholders ({{ store }}) into plain strings.
    let cfg = Config::new(LANGUAGES[0])?
        .add_locale(LANGUAGES[1])?
        .add_locale(LANGUAGES[2])?
        .add_locale(LANGUAGES[3])?
        .add_locale(LANGUAGES[4])?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.join("i18n"))?;
    provider_texts(
        Path::new("locales/providers"),
        &out.join("provider_texts.rs"),
    )
}

/// Writes `TEXTS: &[(provider, key, [text; 5])]`, sorted by provider and key. A key missing
/// a language fails the build.
fn provider_texts(dir: &Path, out: &Path) -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        println!("cargo::rerun-if-changed={}", path.display());
        let provider = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a provider's texts file is named by its id")?
            .to_owned();
        let texts: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        for (key, by_language) in texts {
            let mut column = Vec::new();
            for language in LANGUAGES {
                let text = by_language
                    .get(language)
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| format!("{}: {key} has no {language} text", path.display()))?;
                column.push(format!("{text:?}"));
            }
            rows.push((provider.clone(), key, column.join(", ")));
        }
    }
    rows.sort();
    let body: String = rows
        .iter()
        .map(|(provider, key, texts)| format!("    ({provider:?}, {key:?}, [{texts}]),\n"))
        .collect();
    std::fs::write(
        out,
        format!("pub static TEXTS: &[(&str, &str, [&str; 5])] = &[\n{body}];\n"),
    )?;
    Ok(())
}
