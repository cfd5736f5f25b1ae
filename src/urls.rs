//! URL parsing behind one small interface, with two well-kept WHATWG URL parsers behind it:
//! natively the `url` crate; in the Wasm build the browser's own `URL` (registered by the
//! binding at start-up through [`set_parser`]). Keeping `url` and its IDNA tables out of the
//! module saves about a third of the core's Wasm size, and the browser's parser is the one the
//! OAuth redirect is compared with anyway.

use std::net::IpAddr;
use std::rc::Rc;

/// A URL's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A domain name, lower case, ASCII (punycode for IDN).
    Domain(String),
    /// An IP address literal.
    Ip(IpAddr),
}

/// The parts of a parsed URL the core uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// Scheme without the colon, lower case (`https`).
    pub scheme: String,
    /// Host, when the URL has one.
    pub host: Option<Host>,
    /// Host as serialised (`[::1]` for IPv6), empty when none.
    pub host_str: String,
    /// Port when it is not the scheme's default.
    pub port: Option<u16>,
    /// Whether the URL carries a user name or password.
    pub has_credentials: bool,
    /// Path (`/` for `https://host`).
    pub path: String,
    /// Query without `?`, when present and non-empty.
    pub query: Option<String>,
    /// Fragment without `#`, when present and non-empty.
    pub fragment: Option<String>,
}

impl ParsedUrl {
    /// `scheme://host[:port]`.
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host_str),
            None => format!("{}://{}", self.scheme, self.host_str),
        }
    }
}

/// A parser: text in, parts or the parser's reason out.
pub type Parser = fn(&str) -> Result<ParsedUrl, String>;

/// Builds the host from its serialised form.
pub fn host_from_str(host: &str) -> Option<Host> {
    if host.is_empty() {
        return None;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    Some(match bare.parse::<IpAddr>() {
        Ok(ip) => Host::Ip(ip),
        Err(_) => Host::Domain(host.to_ascii_lowercase()),
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn native(text: &str) -> Result<ParsedUrl, String> {
    let u = url::Url::parse(text).map_err(|e| e.to_string())?;
    let host_str = u.host_str().unwrap_or_default().to_string();
    Ok(ParsedUrl {
        scheme: u.scheme().to_string(),
        host: host_from_str(&host_str),
        host_str,
        port: u.port(),
        has_credentials: !u.username().is_empty() || u.password().is_some(),
        path: u.path().to_string(),
        query: u.query().filter(|q| !q.is_empty()).map(str::to_string),
        fragment: u.fragment().filter(|f| !f.is_empty()).map(str::to_string),
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn current() -> Option<Parser> {
    Some(native)
}

#[cfg(target_arch = "wasm32")]
static PARSER: std::sync::OnceLock<Parser> = std::sync::OnceLock::new();

#[cfg(target_arch = "wasm32")]
fn current() -> Option<Parser> {
    PARSER.get().copied()
}

/// Registers the parser (the Wasm binding does, with the browser's `URL`). Natively the `url`
/// crate is always used and this does nothing.
pub fn set_parser(parser: Parser) {
    #[cfg(target_arch = "wasm32")]
    {
        // A second registration is the same function; ignoring it is correct.
        let _ = PARSER.set(parser);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = parser;
}

/// Parses an absolute URL. Shared (`Rc`): in the Wasm build a repeated URL comes from the
/// memo without copying its parts.
pub fn parse(text: &str) -> Result<Rc<ParsedUrl>, String> {
    match current() {
        Some(parser) => cached(text, parser),
        None => Err("no URL parser is registered".into()),
    }
}

/// The last URLs parsed, with their results. In the Wasm build each parse is about ten calls
/// into the browser's `URL`, and every check parses the same callback URLs again (one check per
/// keystroke); parsing is a pure function of the text, so a short memo is exact.
#[cfg(target_arch = "wasm32")]
fn cached(text: &str, parser: Parser) -> Result<Rc<ParsedUrl>, String> {
    use std::cell::RefCell;
    /// Distinct URLs kept; the memo starts over when it is full.
    const KEEP: usize = 64;
    /// A parse result, shared.
    type Parsed = Result<Rc<ParsedUrl>, String>;
    thread_local! {
        static MEMO: RefCell<Vec<(String, Parsed)>> = const { RefCell::new(Vec::new()) };
    }
    if let Some(hit) = MEMO.with_borrow(|m| m.iter().find(|(t, _)| t == text).map(|(_, r)| r.clone())) {
        return hit;
    }
    let parsed = parser(text).map(Rc::new);
    MEMO.with_borrow_mut(|m| {
        if m.len() >= KEEP {
            m.clear();
        }
        m.push((text.to_string(), parsed.clone()));
    });
    parsed
}

#[cfg(not(target_arch = "wasm32"))]
fn cached(text: &str, parser: Parser) -> Result<Rc<ParsedUrl>, String> {
    parser(text).map(Rc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let u = parse("https://Acme.Example:8443/cb?x=1#f").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, Some(Host::Domain("acme.example".into())));
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.origin(), "https://acme.example:8443");
        assert_eq!(
            (u.path.as_str(), u.query.as_deref(), u.fragment.as_deref()),
            ("/cb", Some("x=1"), Some("f"))
        );
        assert_eq!(parse("https://a.example:443").map(|u| u.port), Ok(None));
        assert!(matches!(parse("http://[::1]:9/").map(|u| u.host.clone()), Ok(Some(Host::Ip(ip))) if ip.is_loopback()));
        assert!(parse("https://u:p@a.example").is_ok_and(|u| u.has_credentials));
        assert!(parse("a.example").is_err());
        assert_eq!(
            parse("myapp://oauth/cb").map(|u| u.host_str.clone()),
            Ok("oauth".into())
        );
    }
}
