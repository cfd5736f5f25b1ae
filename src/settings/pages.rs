//! Setup pages the table links to.

use super::SetupPage;

/// Session Settings.
pub const SESSION_SETTINGS: SetupPage = SetupPage {
    path: "/lightning/setup/SecuritySession/home",
    label: "Session Settings",
};
/// Network Access.
pub const NETWORK_ACCESS: SetupPage = SetupPage {
    path: "/lightning/setup/NetworkAccess/home",
    label: "Network Access",
};
/// Profiles (Login IP Ranges are per profile).
pub const PROFILES: SetupPage = SetupPage {
    path: "/lightning/setup/EnhancedProfiles/home",
    label: "Profiles",
};
/// External Client App Manager (the app's Settings and Policies tabs).
pub const ECA_MANAGER: SetupPage = SetupPage {
    path: "/lightning/setup/ManageExternalClientApplication/home",
    label: "External Client App Manager",
};
