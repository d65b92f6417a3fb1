//! The JSON Schema of mesh.yaml, generated from the model so it cannot drift from the parser.
//! It is committed as `schemas/mesh.schema.json` for editors (yaml-language-server).

/// Path of the committed schema, relative to the crate root.
pub const SCHEMA_PATH: &str = "schemas/mesh.schema.json";

/// The schema as pretty-printed JSON with a trailing newline.
pub fn mesh_json_schema() -> String {
    let schema = schemars::schema_for!(super::model::Mesh);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set MESHWRIGHT_BLESS=1 to rewrite the committed schema after changing the model.
    #[test]
    fn committed_schema_matches_model() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_PATH);
        let expected = mesh_json_schema();
        if std::env::var_os("MESHWRIGHT_BLESS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{SCHEMA_PATH} is stale; run `MESHWRIGHT_BLESS=1 cargo test committed_schema`"
        );
    }

    #[test]
    fn schema_is_strict_and_documents_fields() {
        let schema: serde_json::Value = serde_json::from_str(&mesh_json_schema()).unwrap();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            schema["required"],
            serde_json::json!(["apiVersion", "kind", "metadata", "spec"])
        );
        let spec = &schema["$defs"]["MeshSpec"];
        assert_eq!(spec["additionalProperties"], false);
        assert!(spec["properties"]["workloadCertTTL"]["description"].is_string());
        let mode = &schema["$defs"]["MtlsMode"];
        assert_eq!(mode["enum"], serde_json::json!(["STRICT", "PERMISSIVE"]));
    }
}
