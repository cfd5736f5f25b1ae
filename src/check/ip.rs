//! The integration server's addresses against the org's IP ranges.

use std::net::IpAddr;

use super::{Ctx, Src};
use crate::finding::Severity;
use crate::pack::Params;
use crate::settings::Field;
use crate::snapshot::{IpRange, Snapshot};

/// Parses an address, tolerating a CIDR suffix or brackets.
fn parse_ip(text: &str) -> Option<IpAddr> {
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

/// The integration server's addresses: `serverAddresses` plus IP literals among the callbacks.
pub fn server_addresses(params: &Params) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = params.server_addresses.iter().filter_map(|a| parse_ip(a)).collect();
    for u in &params.callback_urls {
        if let Ok(parsed) = crate::urls::parse(u.trim()) {
            let ip = match parsed.host {
                Some(crate::urls::Host::Ip(ip)) => Some(ip),
                _ => None,
            };
            if let Some(ip) = ip.filter(|ip| !ip.is_loopback() && !out.contains(ip)) {
                out.push(ip);
            }
        }
    }
    out
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
    let addresses = server_addresses(params);
    let pack_name = ctx.pack_name();
    for (f, ranges, severity) in lists {
        let Some(ranges) = ranges else { continue };
        if ranges.is_empty() && f == Field::LoginIpRanges {
            continue; // no login IP ranges: logins are allowed from anywhere
        }
        if addresses.is_empty() {
            ctx.push(
                "login-ip-range",
                Severity::Info,
                Some(f),
                format!("ECA Guard does not know the IP addresses {pack_name} connects from, so it cannot check them against {}.", ctx.label(f)),
                "Enter the server's public IP addresses in ECA Guard's options (Server addresses).".into(),
                Src::Pack(source),
            );
            continue;
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
                    format!(
                        "The server address {ip} is outside every range in {}: {consequence}.",
                        ctx.label(f)
                    ),
                    format!("Add a range that contains {ip} (start {ip}, end {ip})."),
                    Src::Pack(source),
                );
            }
        }
    }
}
