//! The integration server's addresses against the org's IP ranges.

use std::net::IpAddr;

use super::{Ctx, Src};
use crate::finding::Severity;
use crate::pack::Params;
use crate::settings::Field;
use crate::snapshot::{IpRange, Snapshot};

/// Parses an address, tolerating a CIDR suffix or brackets.
pub(super) fn parse_ip(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_start_matches('[').trim_end_matches(']');
    let t = t.split('/').next().unwrap_or(t);
    t.parse().ok()
}

fn ip_key(ip: IpAddr) -> (u8, u128) {
    match ip {
        IpAddr::V4(v4) => (4, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (4, u128::from(u32::from(v4))),
            None => (6, u128::from(v6)),
        },
    }
}

/// Whether `ip` lies in any of `ranges` (ranges that do not parse are skipped).
pub fn in_ranges(ip: IpAddr, ranges: &[IpRange]) -> bool {
    let k = ip_key(ip);
    ranges.iter().any(|r| match (parse_ip(&r.start), parse_ip(&r.end)) {
        (Some(a), Some(b)) => {
            let (a, b) = (ip_key(a), ip_key(b));
            a.0 == k.0 && b.0 == k.0 && a.1 <= k.1 && k.1 <= b.1
        }
        _ => false,
    })
}

/// Whether Salesforce can ever see `ip` as a sign-in's source: private (RFC 1918, unique
/// local), loopback, link-local, shared (CGNAT) and unspecified addresses never reach it
/// untranslated, so checking them against the org's ranges would raise a false error
/// (docs/salesforce-facts.md, "Login IP ranges: which addresses are checked").
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => !(v6.is_loopback() || v6.is_unspecified() || v6.is_unique_local() || v6.is_unicast_link_local()),
        },
    }
}

/// The addresses the integration connects to Salesforce from, as the admin entered them
/// (`serverAddresses`), split into the public ones, which are checked, and the private ones,
/// which are not. Callback URLs are where Salesforce sends the browser back to, not where the
/// integration connects from, so their addresses are never taken for server addresses.
pub fn server_addresses(params: &Params) -> (Vec<IpAddr>, Vec<IpAddr>) {
    let mut public = Vec::new();
    let mut private = Vec::new();
    for ip in params.server_addresses.iter().filter_map(|a| parse_ip(a)) {
        let list = if is_public(ip) { &mut public } else { &mut private };
        if !list.contains(&ip) {
            list.push(ip);
        }
    }
    (public, private)
}

/// The integration server's addresses against the login IP ranges (error) and the trusted IP
/// ranges (warning).
pub fn check(ctx: &mut Ctx<'_>, source: &str, params: &Params, snap: &Snapshot) {
    let lists = [
        (Field::LoginIpRanges, snap.ranges(Field::LoginIpRanges), Severity::Error),
        (
            Field::TrustedIpRanges,
            snap.ranges(Field::TrustedIpRanges),
            Severity::Warning,
        ),
    ];
    let (addresses, private) = server_addresses(params);
    for (f, ranges, severity) in lists {
        let Some(ranges) = ranges else { continue };
        if ranges.is_empty() && f == Field::LoginIpRanges {
            continue; // no login IP ranges: logins are allowed from anywhere
        }
        for ip in &private {
            ctx.push_options(
                "login-ip-range",
                Severity::Info,
                Some(f),
                format!("{ip} is a private address: Salesforce sees the public address it is translated to, so ECA Guard does not check {ip} against these ranges."),
                "Enter the public address the server reaches Salesforce from instead (ECA Guard's options: Server addresses; the command line: --server-address IP).".into(),
                Src::Pack(source),
            );
        }
        if addresses.is_empty() && private.is_empty() {
            ctx.push_options(
                "login-ip-range",
                Severity::Info,
                Some(f),
                "ECA Guard does not know the IP addresses this integration connects from, so it cannot check them against these ranges.".into(),
                "Enter the server's public IP addresses (ECA Guard's options: Server addresses; the command line: --server-address IP).".into(),
                Src::Pack(source),
            );
        }
        for ip in &addresses {
            if !in_ranges(*ip, ranges) {
                let consequence = if f == Field::LoginIpRanges {
                    "Salesforce refuses the integration user's logins and token refreshes from it"
                } else {
                    "sign-ins from it are challenged for identity verification"
                };
                ctx.push(
                    "login-ip-range",
                    severity,
                    Some(f),
                    format!("The server address {ip} is outside every range in the list: {consequence}."),
                    format!("Add a range that contains {ip} (start {ip}, end {ip})."),
                    Src::Pack(source),
                );
            }
        }
    }
}
