//! VirtualService routing (MW610–MW619): gateway bindings whose hosts the gateway does not
//! serve, references to Istio's internal gateways, several VirtualServices claiming one
//! host in the mesh, destinations that need a port, and match rules that can never apply.
//!
//! Shared here: the VirtualServices of a cluster and the gateways each one binds.

pub mod conflicting_mesh_hosts;
pub mod destination_port_required;
pub mod internal_gateway_reference;
pub mod virtual_service_host_not_in_gateway;

use crate::analyze::refs::is_istio;
use crate::manifest::Node;
use crate::manifest::references::{Target, references};

/// The VirtualServices among `objects`.
pub fn virtual_services(objects: &[Node]) -> impl Iterator<Item = &Node> {
    objects.iter().filter(|o| is_istio(o, "VirtualService"))
}

/// One `gateways` entry of a VirtualService other than `mesh`.
pub struct Binding<'a> {
    /// The entry as written.
    pub node: &'a Node,
    pub namespace: String,
    pub name: String,
}

/// The gateways a VirtualService binds, besides `mesh`.
pub fn bindings(virtual_service: &Node) -> Vec<Binding<'_>> {
    references(virtual_service)
        .into_iter()
        .filter_map(|reference| match reference.target {
            Target::Gateway { namespace, name } => Some(Binding {
                node: reference.node,
                namespace,
                name,
            }),
            _ => None,
        })
        .collect()
}
