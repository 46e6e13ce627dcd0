//! Decoding requests the way Telegram does: parameters in any encoding, `reply_markup`, text
//! after `parse_mode`, and the error envelope.

use std::fmt;

use axum::http::{HeaderMap, header::CONTENT_TYPE};
use serde_json::{Map, Value, json};

use super::{Button, MAX_CALLBACK_DATA_BYTES, MAX_CAPTION_UTF16, MAX_TEXT_UTF16};

/// An error answer: HTTP status = `error_code`, like Telegram.
#[derive(Clone, Debug)]
pub(super) struct ApiError {
    pub(super) code: u16,
    pub(super) description: String,
    pub(super) retry_after: Option<u64>,
}

pub(super) fn api_error(code: u16, description: impl Into<String>) -> ApiError {
    ApiError {
        code,
        description: description.into(),
        retry_after: None,
    }
}

/// A 400 with Telegram's `Bad Request: ` prefix.
pub(super) fn bad(what: impl fmt::Display) -> ApiError {
    api_error(400, format!("Bad Request: {what}"))
}

pub(super) fn not_found() -> ApiError {
    api_error(404, "Not Found")
}

pub(super) fn too_many_requests(seconds: u64) -> ApiError {
    ApiError {
        code: 429,
        description: format!("Too Many Requests: retry after {seconds}"),
        retry_after: Some(seconds),
    }
}

impl ApiError {
    pub(super) fn body(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let (Some(seconds), Value::Object(m)) = (self.retry_after, &mut body) {
            m.insert("parameters".into(), json!({ "retry_after": seconds }));
        }
        body
    }
}

/// The parameters of one call, whatever encoding they came in. Form and multipart values are
/// strings; the getters accept both typed JSON and strings, as Telegram does.
pub(super) struct Params(Map<String, Value>);

impl Params {
    pub(super) fn empty() -> Self {
        Self(Map::new())
    }

    /// All parameters as one JSON object, for the call record.
    pub(super) fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }

    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| bad(format_args!("invalid {key} specified"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(format_args!("invalid {key} specified"))),
            Some(_) => Err(bad(format_args!("invalid {key} specified"))),
        }
    }

    pub(super) fn int32(&self, key: &str) -> Result<Option<i32>, ApiError> {
        self.int(key)?
            .map(|n| i32::try_from(n).map_err(|_| bad(format_args!("invalid {key} specified"))))
            .transpose()
    }

    pub(super) fn float(&self, key: &str) -> Result<Option<f64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(format_args!("invalid {key} specified"))),
            Some(_) => Err(bad(format_args!("invalid {key} specified"))),
        }
    }

    pub(super) fn string(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub(super) fn flag(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.trim(), "true" | "True" | "1"),
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// An object or array parameter; form-encoded requests send it as a JSON string.
    pub(super) fn json(&self, key: &str) -> Result<Option<Value>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(Some(v.clone())),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| bad(format_args!("can't parse {key} JSON object"))),
            Some(_) => Err(bad(format_args!("can't parse {key} JSON object"))),
        }
    }

    pub(super) fn message_id(&self) -> Result<i32, ApiError> {
        self.int32("message_id")?
            .ok_or_else(|| bad("message identifier is not specified"))
    }

    pub(super) fn chat_id(&self, key: &str) -> Result<i64, ApiError> {
        match self.get(key) {
            None => Err(bad(format_args!("{key} is empty"))),
            // "@username" addressing is not modelled: no fake chat has a public username.
            Some(_) => self
                .int(key)
                .ok()
                .flatten()
                .ok_or_else(|| bad("chat not found")),
        }
    }
}

/// A parsed `reply_markup`.
#[derive(Default)]
pub(super) struct Markup {
    pub(super) buttons: Vec<Vec<Button>>,
    pub(super) reply_keyboard: Vec<Vec<String>>,
    pub(super) removes_keyboard: bool,
    /// Labels of reply-keyboard buttons with `request_location`.
    pub(super) location_buttons: Vec<String>,
    pub(super) inline_json: Option<Value>,
}

// ---------------------------------------------------------------------------------------------
// Text, markup, encodings
// ---------------------------------------------------------------------------------------------

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub(super) fn check_text(text: &str, is_edit: bool) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    if utf16_len(text) > MAX_TEXT_UTF16 {
        // editMessageText reports the limit differently from sendMessage.
        return Err(bad(if is_edit {
            "MESSAGE_TOO_LONG"
        } else {
            "message is too long"
        }));
    }
    Ok(())
}

pub(super) fn check_caption(caption: Option<&str>) -> Result<(), ApiError> {
    match caption {
        Some(c) if utf16_len(c) > MAX_CAPTION_UTF16 => Err(bad("message caption is too long")),
        _ => Ok(()),
    }
}

/// `entities`/`caption_entities` of a call; Telegram ignores them when `parse_mode` is set.
pub(super) fn entities_param(
    p: &Params,
    key: &str,
    parse_mode: Option<&str>,
) -> Result<Vec<Value>, ApiError> {
    if parse_mode.is_some() {
        return Ok(Vec::new());
    }
    match p.json(key)? {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(bad(format_args!("can't parse {key} JSON object"))),
        None => Ok(Vec::new()),
    }
}

/// A `bot_command` entity for text that starts with a command, as Telegram adds one.
pub(super) fn command_entities(text: &str) -> Vec<Value> {
    if !text.starts_with('/') {
        return Vec::new();
    }
    let command = text.split_whitespace().next().unwrap_or_default();
    vec![json!({ "type": "bot_command", "offset": 0, "length": utf16_len(command) })]
}

/// The text she reads: HTML tags and Markdown markers removed, entities decoded.
pub(super) fn displayed_text(raw: &str, parse_mode: Option<&str>) -> String {
    match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        Some("html") => strip_html(raw),
        Some("markdownv2" | "markdown") => strip_markdown(raw),
        _ => raw.to_owned(),
    }
}

fn strip_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match (c, in_tag) {
            ('<', false) => in_tag = true,
            ('>', true) => in_tag = false,
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn strip_markdown(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut in_link_url = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && !in_link_url
                {
                    out.push(next);
                }
            }
            ']' if chars.peek() == Some(&'(') => {
                chars.next();
                in_link_url = true;
            }
            ')' if in_link_url => in_link_url = false,
            _ if in_link_url => {}
            '*' | '_' | '~' | '|' | '`' | '[' => {}
            c => out.push(c),
        }
    }
    out
}

/// Parses and validates `reply_markup` the way Telegram does for the parts the bot uses.
pub(super) fn parse_markup(p: &Params) -> Result<Markup, ApiError> {
    pub(super) const UNPARSABLE: &str = "can't parse reply keyboard markup JSON object";
    let Some(markup) = p.json("reply_markup")? else {
        return Ok(Markup::default());
    };
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows.as_array().ok_or_else(|| bad(UNPARSABLE))?;
        let mut buttons = Vec::new();
        let mut json_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(|| bad(UNPARSABLE))?;
            let mut parsed = Vec::new();
            for button in row {
                let label = button
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(UNPARSABLE))?
                    .to_owned();
                let callback_data = button
                    .get("callback_data")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let url = button.get("url").and_then(Value::as_str).map(str::to_owned);
                if let Some(data) = &callback_data
                    && (data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES)
                {
                    return Err(bad("BUTTON_DATA_INVALID"));
                }
                if let Some(url) = &url
                    && url::Url::parse(url).is_err()
                {
                    return Err(bad("BUTTON_URL_INVALID"));
                }
                let has_action = callback_data.is_some()
                    || url.is_some()
                    || [
                        "copy_text",
                        "web_app",
                        "login_url",
                        "switch_inline_query",
                        "pay",
                    ]
                    .iter()
                    .any(|k| button.get(*k).is_some());
                if !has_action {
                    return Err(bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    ));
                }
                parsed.push(Button {
                    label,
                    callback_data,
                    url,
                });
            }
            json_rows.push(Value::Array(row.clone()));
            buttons.push(parsed);
        }
        return Ok(Markup {
            buttons,
            inline_json: Some(json!({ "inline_keyboard": json_rows })),
            ..Markup::default()
        });
    }
    if let Some(rows) = markup.get("keyboard") {
        let rows = rows.as_array().ok_or_else(|| bad(UNPARSABLE))?;
        let mut keyboard = Vec::new();
        let mut location_buttons = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(|| bad(UNPARSABLE))?;
            for b in row {
                if b.get("request_location").and_then(Value::as_bool) == Some(true)
                    && let Some(label) = b.get("text").and_then(Value::as_str)
                {
                    location_buttons.push(label.to_owned());
                }
            }
            let labels = row
                .iter()
                .map(|b| match b {
                    Value::String(s) => Some(s.clone()),
                    other => other.get("text").and_then(Value::as_str).map(str::to_owned),
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad(UNPARSABLE))?;
            keyboard.push(labels);
        }
        return Ok(Markup {
            reply_keyboard: keyboard,
            location_buttons,
            ..Markup::default()
        });
    }
    if markup.get("remove_keyboard").is_some() {
        return Ok(Markup {
            removes_keyboard: true,
            ..Markup::default()
        });
    }
    if markup.get("force_reply").is_some() {
        return Ok(Markup::default());
    }
    Err(bad(UNPARSABLE))
}

/// Merges query string and body parameters (the body wins), whatever the body's encoding.
pub(super) fn parse_params(
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, ApiError> {
    let mut params = Map::new();
    if let Some(query) = query {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Params(params));
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let boundary = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| {
                ct.split(';')
                    .find_map(|part| part.trim().strip_prefix("boundary="))
            })
            .map(|b| b.trim_matches('"').to_owned())
            .ok_or_else(|| bad("can't parse multipart/form-data request"))?;
        params.extend(parse_multipart(body, &boundary)?);
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => params.extend(m),
            _ => return Err(bad("can't parse JSON")), // unverified text
        }
    }
    Ok(Params(params))
}

/// A small multipart/form-data reader: text fields become strings, uploaded files become
/// `attach://<filename>` markers (their bytes are not kept).
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Map<String, Value>, ApiError> {
    let malformed = || bad("can't parse multipart/form-data request");
    let delimiter = format!("--{boundary}").into_bytes();
    let mut fields = Map::new();
    let mut parts = split_bytes(body, &delimiter).into_iter().skip(1);
    for part in parts.by_ref() {
        if part.starts_with(b"--") {
            return Ok(fields);
        }
        let part = part.strip_prefix(b"\r\n").ok_or_else(malformed)?;
        let header_end = find_bytes(part, b"\r\n\r\n").ok_or_else(malformed)?;
        let headers = String::from_utf8_lossy(&part[..header_end]);
        let content = &part[header_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .ok_or_else(malformed)?;
        let attribute = |name: &str| {
            disposition.split(';').find_map(|a| {
                a.trim()
                    .strip_prefix(name)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_owned())
            })
        };
        let name = attribute("name").ok_or_else(malformed)?;
        let value = match attribute("filename") {
            Some(filename) => format!("attach://{filename}"),
            None => String::from_utf8_lossy(content).into_owned(),
        };
        fields.insert(name, Value::String(value));
    }
    Err(malformed())
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut haystack: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    while let Some(at) = find_bytes(haystack, delimiter) {
        pieces.push(&haystack[..at]);
        haystack = &haystack[at + delimiter.len()..];
    }
    pieces.push(haystack);
    pieces
}

/// Splits `/bot<token>/<method>` into token and method.
pub(super) fn split_path(path: &str) -> Option<(String, String)> {
    let (first, method) = path.strip_prefix('/')?.split_once('/')?;
    let token = percent_decode(first.strip_prefix("bot")?);
    (!method.is_empty() && !method.contains('/')).then(|| (token, method.to_owned()))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
