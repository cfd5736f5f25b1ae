//! Org awareness: which org and which kind of org a Salesforce host belongs to.
//!
//! Host shapes (docs/salesforce-facts.md, "Hosts a content script must match"; enhanced domains):
//! `acme.my.salesforce.com` (API and classic), `acme.my.salesforce-setup.com` (Setup),
//! `acme.lightning.force.com` (Lightning), partitions as a second label
//! (`acme--uat.sandbox.my.salesforce-setup.com`, `acme-dev-ed.develop.…`, `….scratch.…`,
//! `….trailblaze.…`, `….demo.…`, `….free.…`, `….patch.…`), Visualforce and classic iframes
//! (`acme--c.vf.force.com`, `acme--pkg.sandbox.vf.force.com`), Government Cloud on `.mil`, the
//! China hosts and the Defender for Cloud Apps proxy suffix `.mcas.ms`.

use serde::{Deserialize, Serialize};

/// The kind of org, from the host's partition label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    /// A production org (no partition label).
    Production,
    /// A sandbox (`--name.sandbox.`).
    Sandbox,
    /// A Developer Edition org (`.develop.`).
    Developer,
    /// A scratch org (`.scratch.`).
    Scratch,
    /// A Trailhead playground (`.trailblaze.`).
    Trailblaze,
    /// A demo org (`.demo.`).
    Demo,
    /// A free org (`.free.`).
    Free,
    /// A patch org (`.patch.`).
    Patch,
}

/// Which surface of the org the host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Surface {
    /// `*.my.salesforce-setup.com`: Setup pages.
    Setup,
    /// `*.lightning.force.com`: Lightning Experience.
    Lightning,
    /// `*.my.salesforce.com`: API, login and classic pages.
    Api,
    /// `*.vf.force.com`, `*.visualforce.com`: Visualforce and classic iframes.
    Visualforce,
}

/// What a host says about its org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    /// Stable key for remembering readings: My Domain name plus sandbox name, lower case
    /// (`acme`, `acme--uat`). The same for the Setup, Lightning and API hosts of one org.
    pub key: String,
    /// The My Domain name (`acme`).
    pub my_domain: String,
    /// The sandbox name, for sandboxes (`uat`).
    pub sandbox: Option<String>,
    /// Kind of org.
    pub kind: OrgKind,
    /// Which surface this host serves.
    pub surface: Surface,
    /// The API host integrations must use (`acme--uat.sandbox.my.salesforce.com`).
    pub api_host: String,
    /// Things to tell the admin about this org.
    pub notes: Vec<String>,
}

const PARTITIONS: &[(&str, OrgKind)] = &[
    ("sandbox", OrgKind::Sandbox),
    ("develop", OrgKind::Developer),
    ("scratch", OrgKind::Scratch),
    ("trailblaze", OrgKind::Trailblaze),
    ("demo", OrgKind::Demo),
    ("free", OrgKind::Free),
    ("patch", OrgKind::Patch),
];

/// Recognises the org of a Salesforce host; `None` for any other host.
pub fn from_host(host: &str) -> Option<Org> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_suffix(".mcas.ms").unwrap_or(&host);
    // Base domains, longest first; each maps to the surface it serves.
    const BASES: &[(&str, Surface)] = &[
        ("my.salesforce-setup.com", Surface::Setup),
        ("lightning.force.com", Surface::Lightning),
        ("my.salesforce.com", Surface::Api),
        ("vf.force.com", Surface::Visualforce),
        ("visualforce.com", Surface::Visualforce),
        ("my.salesforce.mil", Surface::Api),
        ("lightning.force.mil", Surface::Lightning),
        ("my.salesforce-setup.mil", Surface::Setup),
        ("my.sfcrmproducts.cn", Surface::Api),
        ("lightning.sfcrmapps.cn", Surface::Lightning),
        ("my.sfcrmapps.cn", Surface::Api),
    ];
    let (rest, base, surface) = BASES.iter().find_map(|(base, surface)| {
        host.strip_suffix(base)?
            .strip_suffix('.')
            .map(|rest| (rest, *base, *surface))
    })?;
    let labels: Vec<&str> = rest.split('.').collect();
    let (name, kind) = match labels.as_slice() {
        [name] => (*name, OrgKind::Production),
        [name, partition] => {
            let kind = PARTITIONS.iter().find(|(p, _)| p == partition).map(|(_, k)| *k)?;
            (*name, kind)
        }
        _ => return None,
    };
    if name.is_empty() {
        return None;
    }
    // Visualforce hosts carry a package suffix after `--` (`acme--c`); sandboxes carry the
    // sandbox name the same way (`acme--uat`), and their Visualforce hosts both (`acme--uat--c`).
    let mut parts = name.split("--");
    let my_domain = parts.next().unwrap_or(name).to_string();
    let sandbox = if kind == OrgKind::Sandbox {
        parts.next().map(str::to_string)
    } else {
        None
    };
    // Host labels are letters, digits and hyphens, and a sandbox is always `name--sandbox`:
    // anything else is no org's, and would make a key (where readings are remembered) that
    // another host shares, or an API host that names another org.
    let label = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !label(&my_domain) || (kind == OrgKind::Sandbox && !sandbox.as_deref().is_some_and(label)) {
        return None;
    }
    let key = match &sandbox {
        Some(s) => format!("{my_domain}--{s}"),
        None => my_domain.clone(),
    };
    let partition = labels.get(1).map(|p| format!("{p}.")).unwrap_or_default();
    let api_base = if base.ends_with(".mil") {
        "my.salesforce.mil"
    } else if base.ends_with(".cn") {
        "my.sfcrmproducts.cn"
    } else {
        "my.salesforce.com"
    };
    let api_host = format!("{key}.{partition}{api_base}");
    let mut notes = Vec::new();
    if kind == OrgKind::Sandbox {
        notes.push(
            "This is a sandbox: a refresh wipes External Client App credentials, and integrations such as Veeam need the app created again afterwards."
                .to_string(),
        );
    }
    if kind == OrgKind::Scratch {
        notes.push(
            "External Client Apps cannot be created in scratch orgs from the Setup UI; deploy them as metadata."
                .to_string(),
        );
    }
    if surface == Surface::Setup {
        notes.push(format!(
            "Setup is served from this host, but integrations call the API at https://{api_host}; a My Domain change resets connections and revokes tokens."
        ));
    }
    Some(Org {
        key,
        my_domain,
        sandbox,
        kind,
        surface,
        api_host,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(host: &str) -> Org {
        from_host(host).unwrap_or_else(|| panic!("{host} not recognised"))
    }

    #[test]
    fn production_hosts_share_one_key() {
        for host in [
            "acme.my.salesforce-setup.com",
            "acme.lightning.force.com",
            "ACME.my.salesforce.com",
            "acme--c.vf.force.com",
        ] {
            let o = org(host);
            assert_eq!((o.key.as_str(), o.kind), ("acme", OrgKind::Production), "{host}");
            assert_eq!(o.api_host, "acme.my.salesforce.com");
        }
    }

    #[test]
    fn sandboxes() {
        let o = org("acme--uat.sandbox.my.salesforce-setup.com");
        assert_eq!(o.key, "acme--uat");
        assert_eq!(o.sandbox.as_deref(), Some("uat"));
        assert_eq!(o.kind, OrgKind::Sandbox);
        assert_eq!(o.surface, Surface::Setup);
        assert_eq!(o.api_host, "acme--uat.sandbox.my.salesforce.com");
        assert!(o.notes.iter().any(|n| n.contains("refresh")));
        assert_eq!(org("acme--uat.sandbox.lightning.force.com").key, "acme--uat");
        assert_eq!(org("acme--uat--c.sandbox.vf.force.com").key, "acme--uat");
    }

    #[test]
    fn partitions_and_clouds() {
        assert_eq!(org("acme-dev-ed.develop.my.salesforce.com").kind, OrgKind::Developer);
        assert_eq!(org("x.scratch.my.salesforce-setup.com").kind, OrgKind::Scratch);
        assert_eq!(org("x.trailblaze.lightning.force.com").kind, OrgKind::Trailblaze);
        assert_eq!(org("x.demo.my.salesforce.com").kind, OrgKind::Demo);
        assert_eq!(org("x.free.my.salesforce.com").kind, OrgKind::Free);
        assert_eq!(org("x.patch.my.salesforce.com").kind, OrgKind::Patch);
        assert_eq!(org("agency.my.salesforce.mil").api_host, "agency.my.salesforce.mil");
        assert_eq!(org("acme.my.salesforce.com.mcas.ms").key, "acme");
    }

    #[test]
    fn other_hosts_are_not_orgs() {
        for host in [
            "example.com",
            "my.salesforce.com",
            "evil.com.my.salesforce.com.attacker.io",
            "a.b.c.my.salesforce.com",
            "x.bogus.my.salesforce.com",
            "",
            // Found by the `host` fuzz target (fuzz/regressions/host/): an empty sandbox name,
            // an empty My Domain name, a sandbox without its name, characters no host has.
            "acme--.sandbox.vf.force.com",
            "--uat.sandbox.my.salesforce.com",
            "--c.vf.force.com",
            "acme.sandbox.my.salesforce.com",
            "ac\0me.my.salesforce.com",
            "ac me.lightning.force.com",
        ] {
            assert!(from_host(host).is_none(), "{host}");
        }
    }
}
