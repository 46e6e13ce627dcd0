//! `helpline run`: wires configuration, content, store, Telegram and the HTTP server together,
//! and stops them gracefully on SIGTERM or SIGINT.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use teloxide::payloads::SetWebhookSetters as _;
use teloxide::prelude::Requester as _;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::content::Content;
use crate::telegram::{Telegram, polling};

/// How often the desk checks deadlines, silent assignees and whether Redis lost the line.
const DESK_TICK: Duration = Duration::from_secs(2);

/// How often the retention purge runs.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// How often the directory's version is checked, so edits made by another instance show up
/// (the listings are re-read only when it moved). An edit made in this process refreshes it at
/// once.
const DIRECTORY_REFRESH_EVERY: Duration = Duration::from_secs(5);

/// Runs the bot until `shutdown` is cancelled.
pub async fn run(
    mut config: Config,
    content: Content,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let content = Arc::new(content);
    let (store, keys) = crate::store::connect(&config.database_url, config.secret.take())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let settings = crate::directory::Settings {
        hide_stale: config.hide_stale_services,
        ..crate::directory::Settings::for_countries(&content.countries)
    };
    let directory = crate::directory::connect(
        &config.database_url,
        crate::directory::Cities::builtin(),
        settings,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bot = teloxide::Bot::new(config.token()).set_api_url(config.api_url.clone());
    let telegram = Telegram::new(
        bot.clone(),
        config.limits,
        content.clone(),
        store.clone(),
        keys.clone(),
        directory.clone(),
    );

    let line: Arc<dyn crate::handoff::Line> = match &config.redis_url {
        Some(url) => Arc::new(
            crate::handoff::RedisLine::connect(url, &config.redis_prefix)
                .await
                .map_err(|_| {
                    anyhow::anyhow!(
                        "REDIS_URL cannot be reached: start Redis there, fix the URL, or unset it for the in-process line"
                    )
                })?,
        ),
        None => Arc::new(crate::handoff::LocalLine::new()),
    };
    let desk = Arc::new(crate::telegram::desk::Desk::new(
        store.clone(),
        line,
        content.clone(),
        config.staff_chat_id,
        config.desk_rules,
        config.working_hours.clone(),
    ));
    telegram.set_desk(desk.clone());
    // The same directory as the bot's: an edit in the admin is in her next search at once.
    let admin = Arc::new(crate::admin::Admin::new(
        store.db(),
        directory.clone(),
        config.public_url.clone(),
    ));
    telegram.set_admin(admin.clone());

    match bot.get_me().await {
        Ok(me) => {
            if let Some(username) = &me.user.username {
                admin.set_bot_username(username);
            }
        }
        Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
            anyhow::bail!("Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather")
        }
        Err(_) => tracing::warn!("Telegram is not reachable yet; retrying in the background"),
    }
    if let Err(e) = desk.start(telegram.outbound()).await {
        tracing::error!(error = %e, "the hand-off desk could not start cleanly; retrying on its clock");
    }
    if telegram.set_commands().await.is_err() {
        tracing::warn!("the command menu could not be set; it will be retried at the next start");
    }

    // Bound before the webhook is set: Telegram starts delivering at once, and a bad address
    // must fail the start before the webhook points at a process that cannot answer.
    let listener = TcpListener::bind(config.http_addr)
        .await
        .with_context(|| format!("HELPLINE_HTTP_ADDR {} cannot be bound", config.http_addr))?;

    let webhook = match &config.webhook_url {
        Some(url) => {
            let token = keys.webhook_token();
            bot.set_webhook(url.clone())
                .secret_token(token.clone())
                .allowed_updates(polling::allowed_updates())
                .await
                .map_err(|_| anyhow::anyhow!("Telegram refused HELPLINE_WEBHOOK_URL: it must be https and reachable from the internet"))?;
            let path = if url.path().is_empty() {
                "/".to_owned()
            } else {
                url.path().to_owned()
            };
            Some((path, token))
        }
        None => None,
    };

    let app = crate::server::router(
        telegram.clone(),
        store.clone(),
        Some(desk.line().clone()),
        webhook.clone(),
        Some(admin.clone()),
    );
    let server = tokio::spawn(crate::server::serve(listener, app, shutdown.clone()));

    let desk_clock = {
        let desk = desk.clone();
        let telegram = telegram.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(DESK_TICK) => {}
                }
                if let Err(e) = desk.tick(telegram.outbound(), chrono::Utc::now()).await {
                    tracing::warn!(error = %e, "the desk's clock failed; retrying");
                }
            }
        })
    };

    let purge = {
        let cases = crate::handoff::Cases::new(store.db());
        let store = store.clone();
        let shutdown = shutdown.clone();
        let retention = config.retention;
        let admin = admin.clone();
        tokio::spawn(async move {
            loop {
                match store.purge(chrono::Utc::now(), retention).await {
                    Ok(report) => tracing::info!(?report, "retention purge"),
                    Err(e) => tracing::error!(error = %e, "retention purge failed"),
                }
                match cases.purge(chrono::Utc::now(), retention).await {
                    Ok(n) => tracing::info!(cases = n, "closed cases purged"),
                    Err(e) => tracing::error!(error = %e, "purging closed cases failed"),
                }
                if let Err(e) = admin.auth().sweep(chrono::Utc::now()).await {
                    tracing::error!(error = %e, "sweeping spent admin links failed");
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(PURGE_EVERY) => {}
                }
            }
        })
    };

    let refresh = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(DIRECTORY_REFRESH_EVERY) => {}
                }
                if let Err(e) = directory.refresh_if_changed().await {
                    tracing::warn!(error = %e, "reloading the service directory failed; the last copy stays in use");
                }
            }
        })
    };

    tracing::info!(
        mode = if webhook.is_some() {
            "webhook"
        } else {
            "long polling"
        },
        "helpline is running"
    );
    let outcome = if webhook.is_none() {
        polling::run(telegram.clone(), shutdown.clone())
            .await
            .map_err(|e| anyhow::anyhow!(e))
    } else {
        shutdown.cancelled().await;
        Ok(())
    };
    shutdown.cancel();
    if !telegram.drain(Duration::from_secs(10)).await {
        tracing::warn!("some conversations were still running at shutdown");
    }
    // The last relayed messages' ids, so her quick exit after a restart finds them too.
    if tokio::time::timeout(Duration::from_secs(10), desk.flush())
        .await
        .is_err()
    {
        tracing::warn!("some message ids for quick exit were not written at shutdown");
    }
    let _ = server.await;
    let _ = purge.await;
    let _ = refresh.await;
    let _ = desk_clock.await;
    tracing::info!("helpline stopped");
    outcome
}

/// Cancels `token` on SIGTERM or SIGINT.
pub fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    token.cancel();
                    return;
                }
            };
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("stopping: signal received");
        token.cancel();
    });
}
