//! The `helpline` binary: parses the command line and hands over to the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use helpline::content::Content;
use helpline::domain::{CountryCode, Locale};

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
    /// Check flows, country data, locales and the discretion rule; print each fault as file:line.
    Check,
    /// Talk to the conversation core in the terminal (or replay a script from stdin).
    Simulate {
        #[arg(long, value_parser = parse_locale)]
        locale: Option<Locale>,
        #[arg(long, value_parser = parse_country)]
        country: Option<CountryCode>,
    },
}

fn parse_locale(s: &str) -> Result<Locale, String> {
    Locale::parse(s).map_err(|e| e.to_string())
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
        Some(Cmd::Simulate { locale, country }) => {
            let content = match Content::load(&root) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            let options = helpline::simulate::Options {
                locale,
                country,
                interactive: std::io::stdin().is_terminal(),
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
        None => {
            eprintln!("helpline run: the Telegram bot is not built yet; try `helpline simulate`");
            ExitCode::FAILURE
        }
    }
}
