//! Start-up, serving and graceful shutdown.

pub mod instance_lock;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::ServiceExt;
use tokio::net::TcpListener;
use tower::Layer;

use crate::config::{parse_listen_address, Config, RuntimeEnv};
use crate::state::AppState;
use crate::store::{self, migrate, Store};

/// A server that has opened its store, migrated it and bound its listener.
pub struct Server {
    state: AppState,
    listener: TcpListener,
    /// Tells destructive command-line tools that this database is in use.
    instance_lock: instance_lock::InstanceLock,
}

impl Server {
    /// Opens the store (applying pending migrations) and binds `ListenAddress`.
    pub async fn build(config: Config, runtime: RuntimeEnv) -> anyhow::Result<Self> {
        let address = parse_listen_address(&config.service.listen_address).with_context(|| {
            format!(
                "invalid ServiceSettings.ListenAddress {:?}",
                config.service.listen_address
            )
        })?;
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        Self::with_listener(config, runtime, listener).await
    }

    /// Like [`Server::build`] with an already bound listener (tests bind port 0).
    pub async fn with_listener(
        config: Config,
        runtime: RuntimeEnv,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        crate::realtime::limits::raise_open_files();
        let store = open_store(&config).await?;
        let instance_lock = instance_lock::try_acquire(&store, instance_lock::Mode::Shared)
            .await?
            .context(
                "a townsquare maintenance command (db rollback, user delete, license remove) is \
                 running on this database; start the server once it has finished",
            )?;
        let extensions = crate::edition::build_extensions();
        tracing::info!(
            edition = extensions.edition.edition().display_name(),
            version = crate::build_info::VERSION,
            commit = crate::build_info::GIT_HASH,
            service_environment = runtime.service_environment.as_str(),
            "starting Townsquare"
        );
        store.session_cache().set_ttl(Duration::from_secs(
            config.service.session_cache_in_minutes.saturating_mul(60),
        ));
        let state = AppState::new(config, runtime, store, extensions);
        crate::app::public_links::init_salt(&state).await?;
        crate::app::licensing::start(&state).await;
        Ok(Self {
            state,
            listener,
            instance_lock,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish
    /// within `GracefulShutdownTimeoutSeconds`, and closes the pool.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let grace = Duration::from_secs(state.config().service.graceful_shutdown_timeout_seconds);
        // Slashes are collapsed before routing, so this wraps the router rather than a route.
        let service = tower::util::MapRequestLayer::new(crate::api::middleware::collapse_slashes)
            .layer(crate::api::router(state.clone()));
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let ws_state = state.clone();
        let housekeeping = tokio::spawn(crate::jobs::run_periodic(state.clone()));
        let _scheduled = tokio::spawn(crate::jobs::scheduled_posts::run(
            state.clone(),
            stopping_tx.subscribe(),
        ));
        let reminders = tokio::spawn(crate::jobs::post_reminders::run(state.clone()));
        let auth_listener = tokio::spawn(crate::store::auth_notify::listen(state.store.clone()));
        let license_watch = tokio::spawn(crate::app::licensing::watch(
            state.clone(),
            stopping_tx.subscribe(),
        ));
        tracing::info!(address = %self.local_addr(), "listening");
        // Small writes (WebSocket frames, short JSON replies) go out at once, as in Go's (and so
        // Mattermost's) default; Nagle would hold them until the previous segment is ACKed.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let serve = axum::serve(
            listener,
            service.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing requests in flight");
            let _ = stopping_tx.send(true);
            // WebSockets would otherwise hold the grace period open until it expires.
            ws_state.realtime.close_all();
        });
        let deadline = async move {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        let served = tokio::select! {
            result = serve => result.context("server error"),
            _ = deadline => {
                tracing::warn!(seconds = grace.as_secs(), "requests still running after the grace period; closing them");
                Ok(())
            }
        };
        license_watch.abort();
        let _ = license_watch.await;
        housekeeping.abort();
        let _ = housekeeping.await;
        reminders.abort();
        let _ = reminders.await;
        auth_listener.abort();
        let _ = auth_listener.await;
        served?;
        state.store.close().await;
        self.instance_lock.release().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// State for command-line tools that act on the database without serving.
pub async fn offline_state(config: Config, runtime: RuntimeEnv) -> anyhow::Result<AppState> {
    let store = open_store(&config).await?;
    let state = AppState::new(config, runtime, store, crate::edition::build_extensions());
    // What a server would have in force, without importing the license file: command-line
    // tools follow the same seat limit as the API.
    let snapshot = crate::app::licensing::evaluate(&state, townsquare_sdk::LoadMode::DryRun).await;
    state.install_license(snapshot);
    Ok(state)
}

/// Opens and migrates the configured store, refusing a database from a newer Townsquare.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let mut attempt = 0;
    let store = loop {
        match store::connect(&config.sql).await {
            Ok(store) => break store,
            Err(err) if attempt < 4 && matches!(err, store::StoreError::Unavailable(_)) => {
                attempt += 1;
                tracing::warn!(error = %err, attempt, "database not reachable yet; retrying");
                tokio::time::sleep(Duration::from_secs(attempt)).await;
            }
            Err(err) => {
                return Err(err).with_context(|| {
                    format!("cannot open database {}", config.sql.redacted_data_source())
                })
            }
        }
    };
    migrate::migrate(&store)
        .await
        .context("database migration")?;
    store
        .system_value_init("InstallationDate", &crate::time::now_ms().to_string())
        .await
        .context("recording installation date")?;
    Ok(store)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
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
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
