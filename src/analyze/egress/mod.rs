//! Egress (MW601): traffic leaving the mesh, which istiod's `outboundTrafficPolicy` governs.

pub mod egress_host_without_service_entry;
