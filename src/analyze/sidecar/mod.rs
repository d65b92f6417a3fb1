//! Sidecar proxy analyzers (MW703–MW705): whether a workload gets the proxy its namespace
//! and pod template ask for, and whether its traffic goes through that proxy.

pub mod application_uid;
pub mod misplaced_pod_annotation;
pub mod multiple_injection_labels;
