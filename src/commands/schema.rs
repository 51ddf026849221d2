//! `usher schema`: the JSON Schema of profiles and scenarios; `--results`: the one of results.json;
//! `--logs-results`: the one of `usher logs`'s results.json.

pub fn schema(args: &crate::cli::SchemaArgs) -> String {
    let schema = if args.logs_results {
        crate::logs::report::json::logs_results_schema()
    } else if args.results {
        crate::report::results_schema()
    } else {
        crate::scenario::schema::json_schema()
    };
    serde_json::to_string_pretty(&schema).expect("schema serializes") + "\n"
}
