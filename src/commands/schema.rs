//! `usher schema`: the JSON Schema of profiles and scenarios.

pub fn schema() -> String {
    serde_json::to_string_pretty(&crate::scenario::schema::json_schema())
        .expect("schema serializes")
        + "\n"
}
