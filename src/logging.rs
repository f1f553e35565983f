//! Logging setup: readable console output by default, JSON when configured, optional file.

use std::fs::OpenOptions;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::LogSettings;

fn filter(level: &str) -> EnvFilter {
    // RUST_LOG wins when set; sqlx logs every statement at info, which we never want.
    EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{},sqlx=warn,hyper=warn,tower_http=warn",
            level.to_ascii_lowercase()
        ))
    })
}

/// Installs the global subscriber. Safe to call more than once (later calls are ignored).
pub fn init(settings: &LogSettings) -> anyhow::Result<()> {
    let mut layers: Vec<Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync>> = Vec::new();
    if settings.enable_console {
        // Colour codes only for a terminal: piped into journald or a file they are noise.
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr);
        layers.push(if settings.console_json {
            layer
                .json()
                .with_current_span(true)
                .with_filter(filter(&settings.console_level))
                .boxed()
        } else {
            layer.with_filter(filter(&settings.console_level)).boxed()
        });
    }
    if settings.enable_file {
        let dir = if settings.file_location.is_empty() {
            PathBuf::from("./logs")
        } else {
            PathBuf::from(&settings.file_location)
        };
        std::fs::create_dir_all(&dir)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("townsquare.log"))?;
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Mutex::new(file));
        layers.push(if settings.file_json {
            layer
                .json()
                .with_current_span(true)
                .with_filter(filter(&settings.file_level))
                .boxed()
        } else {
            layer.with_filter(filter(&settings.file_level)).boxed()
        });
    }
    let _ = tracing_subscriber::registry().with(layers).try_init();
    Ok(())
}
