//! `--output json`: `{"edges":[{"cluster","from","to","port","allowed","mtls","policies",…}]}`.

use std::io::{self, Write};

use serde_json::json;

use super::Row;

pub fn write(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    let edges: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "cluster": r.cluster,
                "from": r.from,
                "to": r.to,
                "port": r.port,
                "allowed": r.allowed,
                "mtls": r.mtls.as_str(),
                "policies": r.policies,
                "conditional": r.conditional,
                "serverMode": r.server_mode,
                "peerAuthentication": r.peer_authentication,
                "destinationRule": r.destination_rule,
                "clientTls": r.client_tls,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &json!({ "edges": edges }))?;
    writeln!(out)
}
