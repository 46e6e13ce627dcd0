//! Where logs go and in what shape: stderr, human-readable text by default, or one JSON object a
//! line with `HELPLINE_LOG_FORMAT=json` (for log shippers). The filter is `HELPLINE_LOG`. Either
//! way the events are the same ones, which by design carry no ids, names or message text.

use tracing_subscriber::EnvFilter;

/// The default filter: libraries stay at warn, as their debug output can carry URLs holding the
/// bot token.
pub const DEFAULT_FILTER: &str = "info,reqwest=warn,hyper=warn,sqlx=warn,teloxide=warn";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// `json` (any case) is JSON; anything else, or nothing, is text.
    pub fn parse(value: Option<&str>) -> Format {
        match value {
            Some(v) if v.trim().eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Text,
        }
    }

    pub fn from_env() -> Format {
        Format::parse(std::env::var("HELPLINE_LOG_FORMAT").ok().as_deref())
    }
}

/// Installs the process's subscriber, writing to `writer`. A second call does nothing.
pub fn init<W>(format: Format, filter: EnvFilter, writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        Format::Text => builder.try_init(),
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

/// Logs of the binary: `HELPLINE_LOG` filter, `HELPLINE_LOG_FORMAT` shape, stderr.
pub fn init_from_env() {
    let filter =
        EnvFilter::try_from_env("HELPLINE_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    init(Format::from_env(), filter, std::io::stderr);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_means_json() {
        assert_eq!(Format::parse(Some("JSON")), Format::Json);
        assert_eq!(Format::parse(Some("text")), Format::Text);
        assert_eq!(Format::parse(None), Format::Text);
    }
}
