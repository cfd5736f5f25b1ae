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

/// The delivery column of `creds list`: `\tvault delivered v2`, `\tvault pending (unreachable, 3 tries)`.
pub fn delivery(d: &crate::store::DeliveryStatus) -> String {
    let mut s = format!("\tvault {}", d.state.as_str());
    if let Some(v) = d.vault_version {
        s.push_str(&format!(" v{v}"));
    }
    if d.state == crate::store::DeliveryState::Pending {
        let tries = if d.attempts == 1 {
            "1 try".to_owned()
        } else {
            format!("{} tries", d.attempts)
        };
        s.push_str(&format!(" ({}, {tries})", d.problem.as_deref().unwrap_or("queued")));
    }
    s
}

/// RFC 3339 in UTC (`2026-12-01T10:58:00Z`, `2026-12-01T10:58:00.123456789Z`, as [`time`]
/// writes and Vault answers) to Unix seconds; `None` for anything else.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || !s.ends_with('Z')
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let rest = s.get(19..s.len() - 1)?;
    if !(rest.is_empty() || (rest.starts_with('.') && rest.len() > 1 && rest[1..].bytes().all(|c| c.is_ascii_digit())))
    {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Civil date to days since the epoch (H. Hinnant), the inverse of `time`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delivery_column_says_state_version_and_why_it_waits() {
        use crate::store::{DeliveryState, DeliveryStatus};
        let d = |state, vault_version, problem: Option<&str>, attempts| DeliveryStatus {
            state,
            path: "p".into(),
            vault_version,
            problem: problem.map(Into::into),
            attempts,
        };
        assert_eq!(
            delivery(&d(DeliveryState::Delivered, Some(2), None, 1)),
            "\tvault delivered v2"
        );
        assert_eq!(
            delivery(&d(DeliveryState::Pending, None, Some("unreachable"), 3)),
            "\tvault pending (unreachable, 3 tries)"
        );
        assert_eq!(
            delivery(&d(DeliveryState::Pending, None, None, 0)),
            "\tvault pending (queued, 0 tries)"
        );
        assert_eq!(
            delivery(&d(DeliveryState::Superseded, Some(5), None, 1)),
            "\tvault superseded v5"
        );
    }

    #[test]
    fn times_read_back_as_written_and_as_vault_writes_them() {
        for t in [0, 1_764_586_680, 951_782_400, 4_102_444_799] {
            assert_eq!(parse_time(&time(t)), Some(t), "{}", time(t));
        }
        assert_eq!(
            parse_time("2026-12-01T10:58:00.123456789Z"),
            parse_time("2026-12-01T10:58:00Z")
        );
        for bad in [
            "",
            "2026-12-01 10:58:00Z",
            "2026-12-01T10:58:00",
            "2026-13-01T10:58:00Z",
            "2026-12-01T10:58:00.Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
