//! Text hygiene for the evidence report: what page-derived text may carry into a change ticket.
//!
//! - [`redact`]: credential-shaped tokens (a consumer key, a consumer secret, a token) are cut to
//!   their first [`PREFIX`] characters, whatever text they come in (a label, a message quoting a
//!   callback line, an app name). The report never takes a page's field values in the first place
//!   (src/report/mod.rs); this is the second line.
//! - [`inline`]: Markdown for page text. Page text is hostile (the page's scripts write it): every
//!   character Markdown or HTML gives a meaning is escaped, line breaks become spaces (no block
//!   can start), control and bidirectional-override characters are dropped (no text disguised as
//!   other text), and anything a renderer would turn into a link (a URL, `www.…`, an e-mail
//!   address) goes into a code span, where no renderer links or interprets anything.
//! - [`safe_url`]: a page address without query values or fragment (they can carry tokens).
//! - [`iso_utc`]: ms since the epoch as ISO 8601 UTC.

/// How many characters of a credential-shaped token a report keeps.
pub const PREFIX: usize = 8;

/// Characters a credential token is made of (base64url, Salesforce's keys' `.` and `_`).
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '=' | '~')
}

/// Whether a token looks like a credential rather than a word or a host name: Salesforce consumer
/// keys start with `3MVG` and mix case and digits; secrets are long hex or mixed-case runs
/// (docs/salesforce-facts.md, "Policy values and Setup's labels": the consumer key and secret).
/// Host names are lower case (or upper case with dots), record ids are 15 or 18 characters:
/// neither is cut.
fn credential_like(t: &str) -> bool {
    let n = t.chars().count();
    if t.starts_with("3MVG") && n >= 16 {
        return true;
    }
    if n < 32 {
        return false;
    }
    let upper = t.chars().any(|c| c.is_ascii_uppercase());
    let lower = t.chars().any(|c| c.is_ascii_lowercase());
    let digit = t.chars().any(|c| c.is_ascii_digit());
    let hex = t.chars().all(|c| c.is_ascii_hexdigit()) && digit;
    (upper && digit && (lower || !t.contains('.'))) || hex
}

/// `text` with every credential-shaped token cut to its prefix and "…(redacted)".
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if credential_like(token) {
            out.extend(token.chars().take(PREFIX));
            out.push_str("…(redacted)");
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if token_char(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// Characters dropped from page text: controls, and the bidirectional marks and overrides that
/// make text display as other text.
fn invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\r' && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Page (or pack) text made plain: redacted, invisible characters dropped, whitespace runs (line
/// breaks too) folded to one space. What the JSON report carries; [`inline`] builds on it.
pub fn plain(text: &str) -> String {
    let redacted = redact(text);
    let mut out = String::with_capacity(redacted.len());
    let mut space = false;
    for c in redacted.chars().filter(|c| !invisible(*c)) {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Whether a renderer could make a link of this word (GFM autolinks URLs, `www.` and e-mail
/// addresses without any brackets).
fn linky(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    word.contains("://")
        || word.contains('@')
        || lower.contains("www.")
        || lower.contains("javascript:")
        || lower.contains("data:")
}

/// A code span holding `word` as is: fenced with one backtick more than its longest run, padded
/// when it starts or ends with a backtick (CommonMark, "Code spans").
fn code_span(word: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in word.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if word.starts_with('`') || word.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{word}{pad}{fence}")
}

/// Markdown/HTML metacharacters, escaped with a backslash wherever they are (CommonMark: any
/// ASCII punctuation may be backslash-escaped). Parentheses and `!` stay: with `[` and `]`
/// escaped they can form no link or image.
fn escape_word(word: &str, out: &mut String) {
    for c in word.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Page text as inert inline Markdown (see the module's comment).
pub fn inline(text: &str) -> String {
    let plain = plain(text);
    let mut out = String::with_capacity(plain.len() + 16);
    for (i, word) in plain.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if linky(word) {
            // Prose punctuation around an address stays outside its code span ("(…)", "….").
            let core = word.trim_start_matches(['(', '"', '\'', '[', '<']);
            let lead = &word[..word.len() - core.len()];
            let core = core.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'', ']', '>']);
            let trail = &word[lead.len() + core.len()..];
            escape_word(lead, &mut out);
            out.push_str(&code_span(core));
            escape_word(trail, &mut out);
        } else {
            escape_word(word, &mut out);
        }
    }
    out
}

/// A page address for the report: scheme, host and path only, except Setup's `address` query
/// parameter, whose path (not its own query) names the classic page a reading came from (a
/// profile); other query values and the fragment can carry tokens and are dropped.
pub fn safe_url(url: &str) -> String {
    let no_fragment = url.split('#').next().unwrap_or_default();
    let (base, query) = no_fragment.split_once('?').unwrap_or((no_fragment, ""));
    let address = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("address="))
        .map(|v| {
            // The parameter is percent-encoded; its own query starts at a (possibly encoded) `?`.
            let lower = v.to_ascii_lowercase();
            let end = lower
                .find("%3f")
                .into_iter()
                .chain(v.find('?'))
                .min()
                .unwrap_or(v.len());
            &v[..end]
        })
        .filter(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '%' | '/' | '_' | '-' | '.'))
        });
    let base = redact(base);
    match address {
        Some(a) => format!("{base}?address={a}"),
        None => base,
    }
}

/// ms since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub fn iso_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_796_137_015_999), "2026-12-01T14:56:55Z");
    }

    #[test]
    fn credentials_are_cut_words_and_hosts_are_not() {
        let key = "3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3DlcYjKRjzaQhi7iPaGHbBxc3y4K.0";
        assert_eq!(redact(&format!("key {key}, more")), "key 3MVG9A2k…(redacted), more");
        let secret = "F1E2D3C4B5A69788F1E2D3C4B5A69788F1E2D3C4B5A69788F1E2D3C4B5A69788";
        assert_eq!(redact(secret), "F1E2D3C4…(redacted)");
        for kept in [
            "acme--uat.sandbox.my.salesforce-setup.com",
            "0xI000000000001AAA",
            "https://veeam.acme.internal/lightning/setup/ManageExternalClientApplication/0xI000000000001AAA/view",
            "VEEAM01.BACKUP-SERVERS.ACME-CORPORATION.EXAMPLE",
        ] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn page_text_is_inert_markdown() {
        assert_eq!(inline("a *b* [c](d) <img>"), r"a \*b\* \[c\](d) \<img\>");
        assert_eq!(
            inline("go https://evil.example/x now"),
            "go `https://evil.example/x` now"
        );
        assert_eq!(inline("mail a@b.co"), "mail `a@b.co`");
        assert_eq!(
            inline("Line 1 (https://a.example/) to https://b.example."),
            r"Line 1 (`https://a.example/`) to `https://b.example`."
        );
        assert_eq!(inline("\"[x](https://e.example)\""), r#""\[`x](https://e.example`)""#);
        assert_eq!(inline("x`y https://a`b"), r"x\`y ``https://a`b``");
        assert_eq!(inline("line\n# heading\r\n- item"), r"line \# heading - item");
        assert_eq!(inline("ab\u{202E}cd\u{0007}"), "abcd");
    }

    #[test]
    fn addresses_lose_query_values() {
        assert_eq!(
            safe_url("https://acme.my.salesforce-setup.com/lightning/setup/X/home?token=abc#frag"),
            "https://acme.my.salesforce-setup.com/lightning/setup/X/home"
        );
        assert_eq!(
            safe_url("https://a.my.salesforce-setup.com/lightning/setup/EnhancedProfiles/page?address=%2F00e5g000000AbCd%3Fsid%3Dx&t=1"),
            "https://a.my.salesforce-setup.com/lightning/setup/EnhancedProfiles/page?address=%2F00e5g000000AbCd"
        );
    }
}
