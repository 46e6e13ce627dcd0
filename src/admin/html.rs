//! Server-rendered HTML, by hand and small. Every value that did not come from this file goes
//! through [`Esc`] (text and attribute values alike: `&`, `<`, `>`, `"` and `'` are escaped), so
//! hostile text in a listing or a staff name is shown as text. Pages are plain forms and links:
//! no JavaScript, no third-party anything, one stylesheet served by the admin itself, and a
//! layout that fits a phone.
//!
//! To add a page: write its handler (see `pages.rs`), route it in [`super::router`], and add a
//! `(path, label)` to [`NAV`] if it belongs in the menu. [`layout`] wraps any body in the shared
//! page with the menu and the sign-out button.

use std::fmt::{self, Write as _};

use super::auth::Session;

/// The menu, in order.
pub const NAV: &[(&str, &str)] = &[
    ("/admin/", "Services"),
    ("/admin/stale", "To verify"),
    ("/admin/import", "Import / export"),
    ("/admin/staff", "Staff"),
    ("/admin/teams", "Teams"),
    ("/admin/audit", "Audit log"),
    ("/admin/stats", "Statistics"),
];

/// Escapes text for HTML content and quoted attribute values.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = 0;
        for (i, c) in self.0.char_indices() {
            let replacement = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&self.0[last..i])?;
            f.write_str(replacement)?;
            last = i + c.len_utf8();
        }
        f.write_str(&self.0[last..])
    }
}

/// The stylesheet, served at `/admin/style.css`.
pub const CSS: &str = r#"
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f6f5f2}
header{background:#3b2a4f;color:#fff;padding:.5rem .75rem}
header a{color:#fff;margin-right:.75rem;text-decoration:none;display:inline-block;padding:.25rem 0}
header form{display:inline}
header button{background:none;border:1px solid #fff8;color:#fff;padding:.2rem .6rem}
main{padding:.75rem;max-width:60rem;margin:auto}
h1{font-size:1.3rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top;overflow-wrap:anywhere}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
input[type=text],input[type=number],input[type=search],textarea,select{width:100%;padding:.45rem;font:inherit;border:1px solid #999;border-radius:4px}
textarea{min-height:5rem}
.check label{display:inline-block;font-weight:400;margin-right:.8rem}
button,.button{font:inherit;padding:.45rem .9rem;border-radius:4px;border:1px solid #3b2a4f;background:#3b2a4f;color:#fff;cursor:pointer;text-decoration:none;display:inline-block;margin:.2rem 0}
button.quiet{background:#fff;color:#3b2a4f}
button.danger{background:#a4262c;border-color:#a4262c}
.errors{background:#fde7e9;border:1px solid #a4262c;padding:.5rem .75rem;border-radius:4px}
.notice{background:#e6f4ea;border:1px solid #2e7d32;padding:.5rem .75rem;border-radius:4px}
.muted{color:#666;font-size:.9rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
.row>*{flex:1 1 10rem}
code{overflow-wrap:anywhere}
.stats svg{max-width:100%;height:auto;display:block;margin:.5rem 0}
.stats article{overflow-x:auto;margin-bottom:1.5rem}
@media (max-width:40rem){table.list thead{display:none}table.list td{display:block;border:0;padding:.15rem .4rem}table.list tr{display:block;border-bottom:1px solid #ccc;padding:.4rem 0}}
"#;

/// A page: the menu (when signed in), the title and `body` (already HTML).
pub fn layout(title: &str, session: Option<&Session>, body: &str) -> String {
    let mut page = String::with_capacity(body.len() + 1024);
    let _ = write!(
        page,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{} · helpline admin</title><link rel=\"stylesheet\" href=\"/admin/style.css\">\
         </head><body><header>",
        Esc(title)
    );
    if let Some(session) = session {
        for (path, label) in NAV {
            let _ = write!(page, "<a href=\"{path}\">{label}</a>");
        }
        let _ = write!(
            page,
            "<form method=\"post\" action=\"/admin/signout\">{}\
             <button type=\"submit\">Sign out {}</button></form>",
            csrf_field(session),
            Esc(session.staff.name.as_str())
        );
    } else {
        page.push_str("<strong>helpline admin</strong>");
    }
    let _ = write!(
        page,
        "</header><main><h1>{}</h1>{body}</main></body></html>",
        Esc(title)
    );
    page
}

/// The hidden CSRF field every form of a signed-in page carries.
pub fn csrf_field(session: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        Esc(&session.csrf)
    )
}

/// A list of problems, or nothing.
pub fn errors(problems: &[String]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("<div class=\"errors\" role=\"alert\"><p>Nothing was saved:</p><ul>");
    for p in problems {
        let _ = write!(out, "<li>{}</li>", Esc(p));
    }
    out.push_str("</ul></div>");
    out
}

/// A one-button form posting to `action` (a path this module built, with escaped parts).
pub fn button(session: &Session, action: &str, label: &str, class: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\" style=\"display:inline\">{}\
         <button type=\"submit\" class=\"{class}\">{}</button></form>",
        Esc(action),
        csrf_field(session),
        Esc(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_that_could_open_a_tag_or_attribute_is_escaped() {
        let hostile = "<script>alert('x')</script>\"><img src=x onerror=1>&amp;";
        let out = Esc(hostile).to_string();
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('"'));
        assert!(!out.contains('\''));
        assert!(out.contains("&lt;script&gt;") && out.contains("&amp;amp;"));
        assert_eq!(Esc("Київ — ok").to_string(), "Київ — ok");
    }
}
