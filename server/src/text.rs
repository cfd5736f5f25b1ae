//! How the command line shows things: times, org scopes, labels, shell words.

use eca_guard::pairing;

/// An org scope for listings: `orgs a, b`, or `any org`.
pub fn scope(orgs: Option<&[String]>) -> String {
    match orgs {
        Some(o) => format!("orgs {}", o.join(", ")),
        None => "any org".into(),
    }
}

/// A browser's label for the terminal: labels are cleaned when paired, but one stored by an
/// older version may still hold control or format characters; those are shown escaped.
pub fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || pairing::is_format(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `s` as one word for a POSIX shell: single-quoted, with each `'` written `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Unix seconds as UTC ISO 8601 (`2026-12-01T10:58:00Z`).
pub fn time(secs: i64) -> String {
    // UTC, ISO 8601, without a date crate: days since the epoch to a civil date (H. Hinnant).
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
