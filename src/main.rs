//! The `helpline` binary: parses the command line and hands over to the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use helpline::content::Content;
use helpline::domain::{CountryCode, Locale};

/// mimalloc rather than the system allocator: every update allocates and frees many small
/// buffers (the JSON of each Bot API call and answer), and in the load benchmark
/// (benches/telegram.rs, which uses the same allocator) glibc's malloc took a quarter of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "helpline",
    version,
    about = "A Telegram helpline for women who use drugs and experience violence"
)]
struct Cli {
    /// Folder holding flows/ and locales/ (default: HELPLINE_CONTENT_DIR, the working directory, or the source tree).
    #[arg(long, global = true)]
    content: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the bot (the default): long polling, or a webhook when HELPLINE_WEBHOOK_URL is set.
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Erase what the retention period allows (the server also does this every hour).
    Purge,
    /// Exit 0 when the server on HELPLINE_HTTP_ADDR answers /healthz (for container health checks).
    Healthcheck,
    /// Check flows, country data, locales and the discretion rule; print each fault as file:line.
    Check,
    /// The service directory: import or export Open Referral HSDS 3.0 (JSON or CSV).
    Services {
        #[command(subcommand)]
        command: ServicesCmd,
    },
    /// Staff: peer consultants and coordinators.
    Staff {
        #[command(subcommand)]
        command: StaffCmd,
    },
    /// Print the anonymous counts as tables (or CSV), with small cells suppressed.
    Stats {
        /// CSV (one line per published figure) instead of tables.
        #[arg(long)]
        csv: bool,
    },
    /// Print a single-use sign-in link to the web admin for the coordinator with this name
    /// (valid 15 minutes). Coordinators can also send /admin to the bot.
    AdminLink {
        /// Her staff name, as `helpline staff list` shows it.
        #[arg(long)]
        name: String,
    },
    /// Talk to the conversation core in the terminal (or replay a script from stdin).
    Simulate {
        #[arg(long, value_parser = parse_locale)]
        locale: Option<Locale>,
        #[arg(long, value_parser = parse_country)]
        country: Option<CountryCode>,
        /// An HSDS JSON file (e.g. deploy/demo/directory.json) loaded into an in-memory
        /// directory, so /services shows results.
        #[arg(long)]
        directory: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ServicesCmd {
    /// Import an HSDS JSON file, or a folder holding the CSV package. Records are matched by id
    /// (a re-import changes nothing); any problem refuses the whole import.
    Import { path: PathBuf },
    /// Export the whole directory: JSON into the file PATH, or CSV files into the folder PATH.
    /// Confidential shelters are written without address or coordinates.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum StaffCmd {
    /// Register a staff member, or change the name and role of one already registered.
    Add {
        /// Her numeric Telegram user id (she can see it with @userinfobot).
        #[arg(long)]
        telegram_id: i64,
        #[arg(long, value_parser = parse_role)]
        role: helpline::staff::Role,
        /// The name women see, e.g. "Iris" (1 to 32 characters).
        #[arg(long, value_parser = parse_staff_name)]
        name: helpline::staff::StaffName,
        /// Her team, by name (the admin's Teams page); without it, the default team.
        #[arg(long)]
        team: Option<String>,
    },
    /// List everyone registered.
    List,
    /// Remove a staff member.
    Remove {
        #[arg(long)]
        telegram_id: i64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

fn parse_locale(s: &str) -> Result<Locale, String> {
    Locale::parse(s).map_err(|e| e.to_string())
}

fn parse_role(s: &str) -> Result<helpline::staff::Role, String> {
    helpline::staff::Role::parse(s).map_err(|e| e.to_string())
}

fn parse_staff_name(s: &str) -> Result<helpline::staff::StaffName, String> {
    helpline::staff::StaffName::parse(s).map_err(|e| e.to_string())
}

fn parse_country(s: &str) -> Result<CountryCode, String> {
    CountryCode::parse(&s.to_ascii_uppercase()).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.content.clone().unwrap_or_else(Content::default_root);
    match cli.command {
        Some(Cmd::Check) => {
            let report = helpline::check::check(&root);
            for p in &report.problems {
                println!("{p}");
            }
            if report.problems.is_empty() {
                println!("ok: flows, countries, locales and the discretion rule are sound");
                ExitCode::SUCCESS
            } else {
                eprintln!("{} problem(s) found", report.problems.len());
                ExitCode::FAILURE
            }
        }
        Some(Cmd::Simulate {
            locale,
            country,
            directory,
        }) => {
            let content = match Content::load(&root) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            let directory = match directory {
                Some(path) => match load_directory(&content, &path) {
                    Ok(index) => Some(index),
                    Err(e) => {
                        eprintln!("{e}");
                        return ExitCode::FAILURE;
                    }
                },
                None => None,
            };
            let options = helpline::simulate::Options {
                locale,
                country,
                interactive: std::io::stdin().is_terminal(),
                directory,
            };
            let stdin = std::io::stdin().lock();
            match helpline::simulate::run(&content, &options, stdin, std::io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("simulate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Cmd::Migrate) => block_on(migrate()),
        Some(Cmd::Services { command }) => block_on(services(command)),
        Some(Cmd::Staff { command }) => block_on(staff(command)),
        Some(Cmd::AdminLink { name }) => block_on(admin_link(name)),
        Some(Cmd::Purge) => block_on(purge()),
        Some(Cmd::Stats { csv }) => block_on(stats(csv)),
        Some(Cmd::Healthcheck) => block_on(healthcheck()),
        Some(Cmd::Run) | None => block_on(run(root)),
    }
}

fn block_on(future: impl std::future::Future<Output = Result<(), String>>) -> ExitCode {
    init_logs();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("helpline: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(future) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("helpline: {e}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr, as text or (HELPLINE_LOG_FORMAT=json) JSON lines.
fn init_logs() {
    helpline::ops::logs::init_from_env();
}

async fn run(root: PathBuf) -> Result<(), String> {
    let config = helpline::config::Config::from_env().map_err(|e| e.to_string())?;
    let content = Content::load(&root)
        .map_err(|e| format!("the content in {} has problems:\n{e}", root.display()))?;
    let shutdown = tokio_util::sync::CancellationToken::new();
    helpline::app::cancel_on_signals(shutdown.clone());
    helpline::app::run(config, content, shutdown)
        .await
        .map_err(|e| format!("{e:#}"))
}

/// Reads only what the database needs, so `migrate` and `purge` work without a bot token.
fn database_settings() -> Result<(String, Option<helpline::privacy::Secret>), String> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://helpline.db".to_owned());
    let secret = match std::env::var("HELPLINE_SECRET") {
        Ok(hex) if !hex.trim().is_empty() => {
            Some(helpline::privacy::Secret::from_hex(hex.trim()).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    Ok((url, secret))
}

async fn healthcheck() -> Result<(), String> {
    let addr = std::env::var("HELPLINE_HTTP_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let addr: std::net::SocketAddr = addr
        .parse()
        .map_err(|_| "HELPLINE_HTTP_ADDR is not an address: use HOST:PORT".to_owned())?;
    // A server bound to every interface is asked on loopback.
    let host = if addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        addr.ip()
    };
    let url = format!(
        "http://{}/healthz",
        std::net::SocketAddr::new(host, addr.port())
    );
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()
        .map_err(|e| format!("healthcheck client: {e}"))?;
    match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("{url} answered {}", r.status())),
        Err(_) => Err(format!("{url} did not answer")),
    }
}

async fn migrate() -> Result<(), String> {
    let (url, secret) = database_settings()?;
    helpline::store::connect(&url, secret)
        .await
        .map_err(|e| e.to_string())?;
    println!("migrations applied");
    Ok(())
}

/// Loads an HSDS file into an in-memory SQLite directory, as the bot would hold it.
fn load_directory(
    content: &Content,
    path: &std::path::Path,
) -> Result<std::sync::Arc<helpline::directory::Index>, String> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| format!("helpline: cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let directory = helpline::directory::connect(
            "sqlite::memory:",
            helpline::directory::Cities::builtin(),
            helpline::directory::Settings::for_countries(&content.countries),
        )
        .await
        .map_err(|e| e.to_string())?;
        directory
            .import_path(path)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(directory.index())
    })
}

/// Opens the directory the way `migrate` opens the store: same `DATABASE_URL` and secret check.
async fn open_directory() -> Result<std::sync::Arc<dyn helpline::directory::Directory>, String> {
    let (url, secret) = database_settings()?;
    helpline::store::connect(&url, secret)
        .await
        .map_err(|e| e.to_string())?;
    helpline::directory::connect(
        &url,
        helpline::directory::Cities::builtin(),
        helpline::directory::Settings::default(),
    )
    .await
    .map_err(|e| e.to_string())
}

async fn services(command: ServicesCmd) -> Result<(), String> {
    let directory = open_directory().await?;
    match command {
        ServicesCmd::Import { path } => {
            let report = directory
                .import_path(&path)
                .await
                .map_err(|e| format!("{}: {e}", path.display()))?;
            println!("{report}");
        }
        ServicesCmd::Export { format, path } => {
            let written =
                |e: std::io::Error| format!("{}: cannot be written ({e})", path.display());
            match format {
                ExportFormat::Json => {
                    let text = directory.export_json().await.map_err(|e| e.to_string())?;
                    std::fs::write(&path, text).map_err(written)?;
                }
                ExportFormat::Csv => {
                    let files = directory.export_csv().await.map_err(|e| e.to_string())?;
                    std::fs::create_dir_all(&path).map_err(written)?;
                    for (name, text) in files {
                        std::fs::write(path.join(name), text).map_err(written)?;
                    }
                }
            }
            println!("exported to {}", path.display());
        }
    }
    Ok(())
}

async fn stats(csv: bool) -> Result<(), String> {
    use helpline::stats::{Counters, report};
    let (url, secret) = database_settings()?;
    let (store, _) = helpline::store::connect(&url, secret)
        .await
        .map_err(|e| e.to_string())?;
    let rows = Counters::new(store.db())
        .rows()
        .await
        .map_err(|e| e.to_string())?;
    let tables = report::tables(&rows);
    if csv {
        print!("{}", report::csv(&tables));
    } else {
        print!("{}", report::text(&tables));
    }
    Ok(())
}

async fn staff(command: StaffCmd) -> Result<(), String> {
    use helpline::staff::Staff;
    let (url, secret) = database_settings()?;
    let (store, _) = helpline::store::connect(&url, secret)
        .await
        .map_err(|e| e.to_string())?;
    let staff = Staff::new(store.db());
    match command {
        StaffCmd::Add {
            telegram_id,
            role,
            name,
            team,
        } => {
            let team = match team {
                None => None,
                Some(wanted) => {
                    let teams = helpline::handoff::Teams::new(store.db());
                    match teams.by_name(&wanted).await.map_err(|e| e.to_string())? {
                        Some(t) => Some(t),
                        None => {
                            let names: Vec<String> = teams
                                .list()
                                .await
                                .map_err(|e| e.to_string())?
                                .into_iter()
                                .map(|t| t.settings.name)
                                .collect();
                            return Err(format!(
                                "no team is called {wanted:?}; the teams are: {} (the default team is created at the first start)",
                                names.join(", ")
                            ));
                        }
                    }
                }
            };
            let member = staff
                .add(telegram_id, &name, role, chrono::Utc::now())
                .await
                .map_err(|e| e.to_string())?;
            if let Some(team) = &team {
                staff
                    .set_team(member.id, Some(team.id))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            println!(
                "{} is a {} (staff #{}){}",
                member.name,
                member.role,
                member.id,
                team.map(|t| format!(" in team {}", t.settings.name))
                    .unwrap_or_default()
            );
        }
        StaffCmd::List => {
            let teams = helpline::handoff::Teams::new(store.db())
                .list()
                .await
                .map_err(|e| e.to_string())?;
            // A member without a team is in the default team, the first.
            let team_of = |id: Option<i64>| {
                id.and_then(|id| teams.iter().find(|t| t.id == id))
                    .or(teams.first())
                    .map_or("the default team", |t| t.settings.name.as_str())
            };
            for m in staff.list().await.map_err(|e| e.to_string())? {
                println!(
                    "#{}\t{}\t{}\ttelegram {}\tup to {} cases\tteam {}",
                    m.id,
                    m.role,
                    m.name,
                    m.telegram_id,
                    m.max_cases,
                    team_of(m.team_id)
                );
            }
        }
        StaffCmd::Remove { telegram_id } => {
            let member = staff
                .by_telegram_id(telegram_id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no staff member has that Telegram id")?;
            staff.remove(member.id).await.map_err(|e| e.to_string())?;
            println!("{} was removed", member.name);
        }
    }
    Ok(())
}

async fn admin_link(name: String) -> Result<(), String> {
    let (url, secret) = database_settings()?;
    let (store, _) = helpline::store::connect(&url, secret)
        .await
        .map_err(|e| e.to_string())?;
    let env = |name: &str| std::env::var(name).ok();
    let http_addr = match env("HELPLINE_HTTP_ADDR") {
        Some(raw) if !raw.trim().is_empty() => raw.trim().parse().map_err(|_| {
            "HELPLINE_HTTP_ADDR is not an address: use HOST:PORT, e.g. 127.0.0.1:8080".to_owned()
        })?,
        _ => std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    let webhook = env("HELPLINE_WEBHOOK_URL").and_then(|raw| url::Url::parse(raw.trim()).ok());
    let public_url = helpline::config::public_url(&env, webhook.as_ref(), http_addr)
        .map_err(|e| e.to_string())?;
    let directory = helpline::directory::connect(
        &url,
        helpline::directory::Cities::builtin(),
        helpline::directory::Settings::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let admin = helpline::admin::Admin::new(store.db(), directory, public_url);
    let link = admin.link_for_name(&name).await.map_err(|e| match e {
        helpline::admin::AdminError::NotCoordinator => {
            format!("{name} is not a coordinator; only coordinators may sign in to the admin")
        }
        other => other.to_string(),
    })?;
    println!("{link}");
    Ok(())
}

async fn purge() -> Result<(), String> {
    let (url, secret) = database_settings()?;
    let (store, _) = helpline::store::connect(&url, secret)
        .await
        .map_err(|e| e.to_string())?;
    let days = std::env::var("HELPLINE_RETENTION_DAYS")
        .ok()
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or(30);
    let retention = chrono::TimeDelta::days(days.clamp(1, 365));
    let report = store
        .purge(chrono::Utc::now(), retention)
        .await
        .map_err(|e| e.to_string())?;
    let cases = helpline::handoff::Cases::new(store.db())
        .purge(chrono::Utc::now(), retention)
        .await
        .map_err(|e| e.to_string())?;
    println!("purged: {report:?}, closed cases: {cases}");
    Ok(())
}
