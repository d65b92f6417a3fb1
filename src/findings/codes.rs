//! The catalog of finding codes: each code's name, default severity, help line and the
//! documentation `meshwright explain CODE` prints.
//!
//! Families: `MW1xx` schema and input, `MW2xx` mTLS, `MW3xx` authorization, `MW4xx`
//! references, `MW5xx` certificates, `MW6xx` traffic and gateways, `MW7xx` workload lifecycle.

use super::Severity;

/// A stable finding code and its documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    /// A short kebab-case name, e.g. `unknown-field`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line telling the user what to do.
    pub help: &'static str,
    /// What it does / why is this bad / example / use instead, as Markdown.
    pub docs: &'static str,
}

/// Every code, in code order.
pub static CATALOG: &[&Code] = &[];

/// The catalog entry for `code` (case-insensitive).
pub fn lookup(code: &str) -> Option<&'static Code> {
    CATALOG
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}
