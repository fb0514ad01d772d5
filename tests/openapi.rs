//! The OpenAPI document (`GET /api/openapi.json`, SPEC F5) against the real binary and the source:
//! it is OpenAPI 3.1 and every `$ref` resolves; every route of `web::app()` (read from
//! src/web/mod.rs at test time, so a route added without documentation fails here) is documented
//! with its methods and the roles its handler admits; and real answers, HTTP and WebSocket, have the
//! documented status and match the documented schemas.

mod common;

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

/// The methods axum's routing functions are named after.
const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];
/// Every role, as the source names them (`Role::Operator`) and as the document does (`operator`).
const ROLES: [&str; 6] = [
    "admin",
    "operator",
    "warehouse",
    "ingest",
    "overlay",
    "viewer",
];
/// How long a warning may take to fire (the writer judges the metrics about once a second).
const ALERT_WAIT_MS: u64 = 5_000;
/// How long a WebSocket handshake and its first frame may take.
const WS_WAIT_MS: u64 = 5_000;
/// A body just over the server's 2 MiB limit (far over, the server may close before it is sent).
const OVERSIZED_BODY_BYTES: usize = (2 << 20) + 4096;

/// A file of this crate, read at test time.
fn source(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The text inside the parentheses that open at byte `open` of `text` (string literals skipped).
fn parenthesised(text: &str, open: usize) -> &str {
    assert_eq!(&text[open..=open], "(", "a parenthesis at {open}");
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, c) in text[open..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses from byte {open}")
}

/// The first string literal of `text` and what follows it.
fn first_literal(text: &str) -> (&str, &str) {
    let start = text.find('"').expect("a string literal") + 1;
    let len = text[start..].find('"').expect("a closed string literal");
    (&text[start..start + len], &text[start + len + 1..])
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The calls `name(...)` in `text` as whole words, each with its argument.
fn calls<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.match_indices(name)
        .filter(|(i, _)| !text[..*i].chars().next_back().is_some_and(is_ident_char))
        .filter(|(i, _)| text[i + name.len()..].starts_with('('))
        .map(|(i, _)| parenthesised(text, i + name.len()).trim())
        .collect()
}

/// One `.route(PATH, get(handler).post(handler))` of the router.
#[derive(Debug)]
struct Route {
    path: String,
    /// `(method, handler)`, the handler as written (`api::skus::list_skus`).
    methods: Vec<(String, String)>,
}

/// Every route of src/web/mod.rs, by a plain scan of its `.route(...)` calls.
fn routes() -> Vec<Route> {
    let src = source("src/web/mod.rs");
    let routes: Vec<Route> = src
        .match_indices(".route(")
        .map(|(i, _)| {
            let args = parenthesised(&src, i + ".route".len());
            let (path, rest) = first_literal(args);
            let methods: Vec<(String, String)> = METHODS
                .iter()
                .flat_map(|m| {
                    calls(rest, m)
                        .into_iter()
                        .map(|h| (m.to_string(), h.to_owned()))
                })
                .collect();
            assert!(
                !methods.is_empty(),
                "cannot read the methods of the route {path}: {args}"
            );
            Route {
                path: path.to_owned(),
                methods,
            }
        })
        .collect();
    assert!(
        routes.iter().any(|r| r.path == "/api/openapi.json"),
        "the scan of src/web/mod.rs found no /api/openapi.json route: {routes:?}"
    );
    routes
}

/// The roles a handler admits (admin always is), or `None` for a handler that takes no token:
/// read from its `caller.require(...)` and the `*_ROLES` constant that names them (in the handler's
/// file, or in its folder's `mod.rs`: `api::skus::list_skus` is in src/web/api/skus.rs and its roles
/// in src/web/api/mod.rs).
fn handler_roles(handler: &str) -> Option<BTreeSet<String>> {
    let (module, name) = handler
        .rsplit_once("::")
        .unwrap_or_else(|| panic!("a handler as module::name, not {handler}"));
    let module = module.replace("::", "/");
    let file = source(&format!("src/web/{module}.rs"));
    let folder = match module.rsplit_once('/') {
        Some((parent, _)) => source(&format!("src/web/{parent}/mod.rs")),
        None => String::new(),
    };
    let start = file
        .find(&format!("async fn {name}("))
        .unwrap_or_else(|| panic!("no async fn {name} in src/web/{module}.rs"));
    let body = &file[start..];
    let body = &body[..body.find("\n}\n").unwrap_or(body.len())];
    let required = calls(body, "require");
    let arg = required.first()?;
    let list = match *arg {
        "&Role::ALL" => "Role::ALL".to_owned(),
        constant => {
            let decl = format!("const {constant}: &[Role] = ");
            let (text, at) = [&file, &folder]
                .into_iter()
                .find_map(|text| text.find(&decl).map(|at| (text, at)))
                .unwrap_or_else(|| panic!("no {decl} in src/web/{module}.rs or its mod.rs"));
            let rest = &text[at + decl.len()..];
            rest[..rest.find(';').expect("a ; after the constant")].to_owned()
        }
    };
    let mut roles: BTreeSet<String> = ROLES
        .iter()
        .filter(|r| {
            list.contains("Role::ALL") || {
                let mut variant = r.to_string();
                variant[..1].make_ascii_uppercase();
                list.contains(&format!("Role::{variant}"))
            }
        })
        .map(|r| r.to_string())
        .collect();
    roles.insert("admin".to_owned());
    Some(roles)
}

/// Fetches the document from a running server and checks the basics of the answer.
async fn document(server: &TestServer) -> Value {
    let resp = client()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .expect("GET /api/openapi.json");
    assert_eq!(resp.status(), StatusCode::OK, "GET /api/openapi.json");
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "the document's content type: {content_type}"
    );
    let text = resp.text().await.expect("reading the document");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the document is not JSON: {e}"))
}

/// Follows `{"$ref": "#/..."}` (repeatedly) to what it names.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references are used, not {r}"));
        v = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("the reference {r} names nothing"));
    }
    v
}

/// Every `$ref` in `v`, with where it is.
fn refs(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push((at.to_owned(), r.clone())),
                    _ => refs(x, &format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                refs(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "no components/schemas/{name}");
    s
}

/// A schema's `required`, as a set.
fn required(doc: &Value, name: &str) -> BTreeSet<String> {
    schema(doc, name)["required"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has no required list"))
        .iter()
        .map(|k| k.as_str().expect("required names are strings").to_owned())
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// A small JSON Schema checker for what the document uses to describe answers: `$ref`, `allOf`,
/// `oneOf`, `type`, `const`, `enum`, `minimum`/`maximum`, `minLength`/`maxLength`, `items`,
/// `minItems`/`maxItems`, `required`, `properties`, `additionalProperties`. (Patterns, formats and
/// conditionals are left out: they describe requests.) Faults go to `errors` as `at: what`.
fn check(doc: &Value, s: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let s = resolve(doc, s);
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(doc, sub, v, at, errors);
        }
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        let matching = one
            .iter()
            .filter(|sub| {
                let mut e = Vec::new();
                check(doc, sub, v, at, &mut e);
                e.is_empty()
            })
            .count();
        if matching != 1 {
            errors.push(format!(
                "{at}: {v} matches {matching} of the oneOf, not exactly one"
            ));
        }
    }
    let mut fault = |what: String| errors.push(format!("{at}: {what}"));
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("{at}: a type is a name or a list of names"),
        };
        let fits = |t: &&str| match *t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            other => panic!("{at}: unknown type {other}"),
        };
        if !types.iter().any(fits) {
            fault(format!("{v} is not of type {t}"));
            return;
        }
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        fault(format!("{v} is not {c}"));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        fault(format!("{v} is not one of {}", Value::Array(e.clone())));
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            fault(format!("{v} is below {min}"));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            fault(format!("{v} is above {max}"));
        }
    }
    if let Some(text) = v.as_str() {
        let chars = text.chars().count() as u64;
        if s.get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| chars < m)
        {
            fault(format!("{v} is too short"));
        }
        if s.get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| chars > m)
        {
            fault(format!("{v} is too long"));
        }
    }
    if let Some(items) = v.as_array() {
        let n = items.len() as u64;
        if s.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n < m)
        {
            fault(format!("{n} items, fewer than minItems"));
        }
        if s.get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
        {
            fault(format!("{n} items, more than maxItems"));
        }
        if let Some(item) = s.get("items") {
            for (i, x) in items.iter().enumerate() {
                check(doc, item, x, &format!("{at}[{i}]"), errors);
            }
        }
    }
    if let Some(o) = v.as_object() {
        for name in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().expect("required names are strings");
            if !o.contains_key(name) {
                errors.push(format!("{at}: no {name} in {v}"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            match (props.and_then(|p| p.get(k)), s.get("additionalProperties")) {
                (Some(p), _) => check(doc, p, x, &format!("{at}.{k}"), errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{at}: {k} is not a documented property"));
                }
                (None, Some(extra @ Value::Object(_))) => {
                    check(doc, extra, x, &format!("{at}.{k}"), errors);
                }
                (None, _) => {}
            }
        }
    }
}

/// Asserts `v` matches `s`.
#[track_caller]
fn assert_matches(doc: &Value, s: &Value, v: &Value, what: &str) {
    let mut errors = Vec::new();
    check(doc, s, v, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n{}\nthe answer: {v}",
        errors.join("\n")
    );
}

/// The checker itself: it must refuse what the schemas refuse, or the checks below prove nothing.
#[test]
fn the_schema_checker_refuses_wrong_types_missing_and_undocumented_fields() {
    let doc = json!({"components": {"schemas": {"P": {
        "type": "object", "additionalProperties": false, "required": ["a", "b"],
        "properties": {"a": {"type": "integer", "minimum": 0},
                       "b": {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "null"}]}}}}}});
    let p = json!({"$ref": "#/components/schemas/P"});
    let faults = |v: Value| {
        let mut e = Vec::new();
        check(&doc, &p, &v, "$", &mut e);
        e.len()
    };
    assert_eq!(faults(json!({"a": 1, "b": "xy"})), 0);
    assert_eq!(faults(json!({"a": 1, "b": null})), 0);
    assert_eq!(faults(json!({"a": -1, "b": null})), 1, "below the minimum");
    assert_eq!(faults(json!({"a": 1.5, "b": null})), 1, "not an integer");
    assert_eq!(faults(json!({"a": 1})), 1, "b missing");
    assert_eq!(
        faults(json!({"a": 1, "b": "xyz"})),
        1,
        "b matches no branch"
    );
    assert_eq!(
        faults(json!({"a": 1, "b": null, "c": 0})),
        1,
        "c undocumented"
    );
}

#[test]
fn the_route_scan_reads_multi_line_routes_and_every_method() {
    let rs = routes();
    let sku = rs
        .iter()
        .find(|r| r.path == "/api/v1/skus/{sku}")
        .expect("the SKU route, written over several lines");
    let methods: Vec<&str> = sku.methods.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(methods, ["get", "patch"]);
    assert_eq!(
        handler_roles("api::skus::patch_sku"),
        Some(BTreeSet::from(["admin".to_owned(), "operator".to_owned()]))
    );
    assert_eq!(handler_roles("pages::healthz"), None);
    assert_eq!(
        handler_roles("api::skus::list_skus").map(|r| r.len()),
        Some(6)
    );
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_ref_resolves() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "openapi is {version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    assert!(
        found.len() > 50,
        "the document uses components: {} refs",
        found.len()
    );
    for (at, r) in &found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: only local references, not {r}"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{at}: the reference {r} names nothing"
        );
    }
    for name in ["bearerAuth", "cookieAuth"] {
        assert!(
            doc["components"]["securitySchemes"][name].is_object(),
            "no security scheme {name}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["cookieAuth"]["name"],
        "livestock_token"
    );
    for field in ["code", "message", "field"] {
        assert!(
            schema(&doc, "ErrorDetail")["properties"][field].is_object(),
            "the error body documents {field}"
        );
    }
}

#[tokio::test]
async fn every_route_of_the_router_is_documented_with_its_methods_and_roles() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let paths = doc["paths"].as_object().expect("paths");
    let routes = routes();
    let routed: BTreeSet<&str> = routes.iter().map(|r| r.path.as_str()).collect();
    let documented: BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    assert_eq!(
        documented, routed,
        "the documented paths are not the routes of src/web/mod.rs"
    );
    for route in &routes {
        let item = &paths[&route.path];
        let listed: BTreeSet<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| item.get(*m).is_some())
            .collect();
        let served: BTreeSet<&str> = route.methods.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(listed, served, "the methods of {}", route.path);
        for (method, handler) in &route.methods {
            let what = format!("{} {}", method.to_uppercase(), route.path);
            let op = &item[method.as_str()];
            assert!(
                op["operationId"].is_string() && op["summary"].is_string(),
                "{what}: an operationId and a summary"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{what}: its responses"
            );
            // Path parameters: every `{name}` of the path is declared, on the path or the operation.
            let declared: BTreeSet<String> = item["parameters"]
                .as_array()
                .into_iter()
                .chain(op["parameters"].as_array())
                .flatten()
                .map(|p| resolve(&doc, p))
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().expect("a parameter name").to_owned())
                .collect();
            let in_path: BTreeSet<String> = route
                .path
                .split('{')
                .skip(1)
                .map(|s| s.split('}').next().expect("a closed {param}").to_owned())
                .collect();
            assert_eq!(declared, in_path, "{what}: its path parameters");
            match handler_roles(handler) {
                None => {
                    assert_eq!(op["security"], json!([]), "{what} takes no token");
                }
                Some(roles) => {
                    assert_ne!(op["security"], json!([]), "{what} needs a token");
                    assert!(op["responses"]["401"].is_object(), "{what}: its 401 answer");
                    let documented: BTreeSet<String> = op["x-roles"]
                        .as_array()
                        .unwrap_or_else(|| panic!("{what}: its x-roles"))
                        .iter()
                        .map(|r| r.as_str().expect("a role name").to_owned())
                        .collect();
                    assert_eq!(documented, roles, "{what}: the roles of {handler}");
                    let description = op["description"].as_str().unwrap_or_default();
                    assert!(
                        description.contains("Roles:"),
                        "{what}: a role note in its description"
                    );
                    let forbidden = op["responses"]["403"].is_object();
                    assert_eq!(
                        forbidden,
                        roles.len() < ROLES.len() || handler.starts_with("ws::"),
                        "{what}: a 403 answer exactly when a role (or an Origin) may be refused"
                    );
                }
            }
        }
    }
}

/// Creates the SKU `code` with `on_hand` units as the operator.
async fn create(server: &TestServer, code: &str, on_hand: i64) -> Value {
    server.create_skus(&new_sku(code, on_hand, 19_900)).await
}

/// The newest alert, once one has fired.
async fn an_alert(server: &TestServer) -> Value {
    poll(ALERT_WAIT_MS, "an alert fires", || async {
        let (st, b) = server.get("/api/v1/alerts", VIEWER).await;
        assert_eq!(st, StatusCode::OK, "GET /api/v1/alerts: {b}");
        b["alerts"].as_array().and_then(|a| a.first()).cloned()
    })
    .await
}

#[tokio::test]
async fn the_stock_view_show_and_alert_schemas_name_exactly_the_fields_of_real_answers() {
    let server = TestServer::start();
    let doc = document(&server).await;
    create(&server, "HOODIE-BLK-L", 100).await;
    let body = json!({"title": "双十一返场专场", "lineup": [{"sku": "HOODIE-BLK-L"}]});
    let (st, b) = server.post("/api/v1/show", OPERATOR, &body).await;
    assert_eq!(st, StatusCode::CREATED, "creating the show: {b}");
    sell(&server, "DY-1", "HOODIE-BLK-L", 96).await;

    let view = server.sku("HOODIE-BLK-L").await;
    let (st, show) = server.get("/api/v1/show", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "GET /api/v1/show: {show}");
    let alert = an_alert(&server).await;
    for (name, answer) in [("StockView", &view), ("ShowView", &show), ("Alert", &alert)] {
        assert_eq!(
            required(&doc, name),
            keys(answer),
            "{name}'s required properties are not the keys of a real answer {answer}"
        );
        let props = keys(&schema(&doc, name)["properties"]);
        assert_eq!(props, keys(answer), "{name}'s properties");
        assert_matches(&doc, schema(&doc, name), answer, name);
    }
}

/// The path of the document that `path` (a real one, perhaps with a query) is an instance of.
fn template<'a>(doc: &'a Value, path: &str) -> &'a str {
    let path = path.split('?').next().unwrap_or_default();
    let paths = doc["paths"].as_object().expect("paths");
    if let Some((t, _)) = paths.get_key_value(path) {
        return t;
    }
    let segments: Vec<&str> = path.split('/').collect();
    paths
        .keys()
        .find(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')))
        })
        .unwrap_or_else(|| panic!("no documented path for {path}"))
}

/// Asserts that `status` is documented for `method path`, and that a JSON body matches its schema.
#[track_caller]
fn assert_documented(doc: &Value, method: &Method, path: &str, status: StatusCode, body: &Value) {
    let template = template(doc, path);
    let what = format!("{method} {template} answering {status}");
    let op = &doc["paths"][template][method.as_str().to_lowercase()];
    assert!(op.is_object(), "{what}: no such operation in the document");
    let response = op["responses"]
        .get(status.as_str())
        .map(|r| resolve(doc, r))
        .unwrap_or_else(|| panic!("{what}: the status is not documented; the body: {body}"));
    match response["content"].get("application/json") {
        Some(media) => assert_matches(doc, &media["schema"], body, &what),
        None => assert!(
            !body.is_object() && !body.is_array(),
            "{what}: a JSON body {body} where the document has none"
        ),
    }
}

/// The server, asked through the document: every answer must be documented and match its schema.
struct Api<'a> {
    server: &'a TestServer,
    doc: &'a Value,
}

impl Api<'_> {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("a JSON body"));
        self.send_raw(method, path, token, bytes).await
    }

    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        bytes: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        let (st, b) = self
            .server
            .call_raw(method.clone(), path, token, bytes)
            .await;
        assert_documented(self.doc, &method, path, st, &b);
        (st, b)
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }
}

#[tokio::test]
async fn real_answers_have_a_documented_status_and_match_its_schema() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let (op, wh, ing, ov, vw) = (
        Some(OPERATOR),
        Some(WAREHOUSE),
        Some(INGEST),
        Some(OVERLAY),
        Some(VIEWER),
    );

    // Health, the catalog and its refusals.
    api.get("/healthz", None).await;
    api.get("/readyz", None).await;
    let skus = "/api/v1/skus";
    let hoodie = new_sku("HOODIE-BLK-L", 100, 19_900);
    let (st, _) = api.post(skus, OPERATOR, hoodie.clone()).await;
    assert_eq!(st, StatusCode::CREATED);
    let many = json!([new_sku("CAP-RED", 50, 5_900), new_sku("SOCKS-3", 10, 1_900)]);
    let (st, b) = api.post(skus, OPERATOR, many).await;
    assert_eq!(
        (st, b.as_array().map(Vec::len)),
        (StatusCode::CREATED, Some(2))
    );
    let (st, _) = api.post(skus, OPERATOR, hoodie).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = api.post(skus, OPERATOR, new_sku("bad code!", 1, 1)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api
        .send_raw(Method::POST, skus, op, Some(b"{no".to_vec()))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let too_many: Vec<Value> = (0..1001).map(|i| new_sku(&format!("X{i}"), 1, 1)).collect();
    let (st, _) = api.post(skus, OPERATOR, Value::Array(too_many)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let huge = vec![b' '; OVERSIZED_BODY_BYTES];
    let (st, _) = api.send_raw(Method::POST, skus, op, Some(huge)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let (st, _) = api.post(skus, VIEWER, json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = api.get(skus, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    api.get(skus, vw).await;

    // One SKU, its patch and its movements.
    let hoodie = "/api/v1/skus/HOODIE-BLK-L";
    api.get(hoodie, vw).await;
    let (st, _) = api.get("/api/v1/skus/NOPE", vw).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let limit = json!({"per_buyer_limit": 3, "buffer": 5});
    let (st, b) = api.send(Method::PATCH, hoodie, op, Some(limit)).await;
    assert_eq!((st, &b["per_buyer_limit"]), (StatusCode::OK, &json!(3)));
    let too_much = json!({"buffer": 11});
    let (st, _) = api
        .send(Method::PATCH, "/api/v1/skus/SOCKS-3", op, Some(too_much))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let moves = "/api/v1/skus/HOODIE-BLK-L/movements";
    let receipt =
        json!({"kind": "receive", "qty": 20, "by": "li", "verified_by": "wang", "zone": "A-3"});
    let (st, _) = api.post(moves, WAREHOUSE, receipt).await;
    assert_eq!(st, StatusCode::CREATED);
    api.post(
        moves,
        WAREHOUSE,
        json!({"kind": "count", "qty": 118, "by": "li"}),
    )
    .await;
    let undamage = json!({"kind": "undamage", "qty": 1, "by": "li"});
    let (st, _) = api.send(Method::POST, moves, wh, Some(undamage)).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, b) = api.get(moves, vw).await;
    assert_eq!(
        (st, b["movements"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(2))
    );

    // Orders: accepted, duplicate, rejected, refused, malformed, a batch, and the orders.
    let orders = "/api/v1/orders";
    let created = buyer_event("douyin", "DY-1", "created", "u1", &[("HOODIE-BLK-L", 2)]);
    let (st, b) = api.post(orders, INGEST, created.clone()).await;
    assert_eq!((st, &b["result"]), (StatusCode::OK, &json!("accepted")));
    let (_, b) = api.post(orders, INGEST, created).await;
    assert_eq!(b["result"], "duplicate");
    let greedy = event("douyin", "DY-2", "created", &[("SOCKS-3", 11)]);
    let (st, b) = api.post(orders, INGEST, greedy).await;
    assert_eq!(
        (st, &b["reason"]),
        (StatusCode::CONFLICT, &json!("out_of_stock"))
    );
    let lineless = event("douyin", "DY-3", "paid", &[]);
    let (st, b) = api.post(orders, INGEST, lineless.clone()).await;
    assert_eq!(
        (st, &b["result"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("rejected"))
    );
    let malformed = event("douyin", "DY-4", "created", &[("HOODIE-BLK-L", 0)]);
    let (st, _) = api.post(orders, INGEST, malformed).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let batch = json!([
        event("douyin", "DY-1", "paid", &[]),
        event("douyin", "DY-5", "created", &[("CAP-RED", 99)]),
        lineless,
    ]);
    let (st, b) = api.post(orders, INGEST, batch).await;
    assert_eq!(
        (st, b["results"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(3))
    );
    let (st, _) = api.send(Method::POST, orders, ing, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "no body");
    api.get("/api/v1/orders/douyin/DY-1", vw).await;
    api.get("/api/v1/orders/douyin/DY-2", vw).await;
    let (st, _) = api.get("/api/v1/orders/douyin/NOPE", vw).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The show, from none to ended.
    let show = "/api/v1/show";
    let (_, b) = api.get(show, vw).await;
    assert_eq!(b["state"], "none");
    let (st, _) = api.send(Method::POST, "/api/v1/show/start", op, None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let plan = json!({"title": "双十一返场专场", "lineup": [
        {"sku": "HOODIE-BLK-L", "planned_start": "2026-11-24T20:00:00+08:00",
         "planned_rate_per_min": 30},
        {"sku": "CAP-RED"}]});
    let (st, _) = api.post(show, OPERATOR, plan).await;
    assert_eq!(st, StatusCode::CREATED);
    let current = "/api/v1/show/current";
    let on_air = json!({"sku": "HOODIE-BLK-L"});
    api.send(Method::PUT, current, ov, Some(on_air)).await;
    let (st, _) = api
        .send(Method::PUT, current, ov, Some(json!({"sku": "NOPE"})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let viewers = "/api/v1/show/viewers";
    api.post(viewers, OVERLAY, json!({"online": 102_345})).await;
    let (st, _) = api.send(Method::POST, "/api/v1/show/start", op, None).await;
    assert_eq!(st, StatusCode::OK);
    sell(&server, "DY-6", "CAP-RED", 48).await;
    let (_, b) = api.get(show, vw).await;
    assert_eq!(b["state"], "live");
    let alert = an_alert(&server).await;

    // Warnings.
    api.get("/api/v1/alerts?open=true", vw).await;
    let ack = format!(
        "/api/v1/alerts/{}/ack",
        alert["id"].as_str().expect("an id")
    );
    let (st, b) = api.post(&ack, WAREHOUSE, json!({"by": "li"})).await;
    assert_eq!((st, &b["acked_by"]), (StatusCode::OK, &json!("li")));
    let (st, _) = api
        .post("/api/v1/alerts/nope/ack", OPERATOR, json!({"by": "li"}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = api.post(&ack, INGEST, json!({"by": "li"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = api.get("/api/v1/alerts?open=maybe", vw).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    api.get("/api/v1/alerts", vw).await;

    let (st, _) = api.send(Method::POST, "/api/v1/show/end", op, None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = api.post(viewers, OVERLAY, json!({"online": 1})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    api.get(show, vw).await;

    // The WebSocket: a plain GET, a bad view, and the first frame of two kinds of screen.
    let (st, _) = api.get("/ws?view=board", vw).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a plain GET is not an upgrade");
    let (st, b) = ws_refusal(&server, "view=nope").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "a bad view: {b}");
    assert_documented(&doc, &Method::GET, "/ws", st, &b);
    for view in ["board", "host"] {
        let snapshot = first_frame(&server, view).await;
        let what = format!("the {view} snapshot");
        let frames = &doc["paths"]["/ws"]["get"]["x-websocket"]["serverFrames"];
        assert_matches(&doc, frames, &snapshot, &what);
        assert_matches(&doc, schema(&doc, "WsSnapshot"), &snapshot, &what);
    }
}

fn ws_url(server: &TestServer, query: &str) -> String {
    format!(
        "{}/ws?{query}&token={VIEWER}",
        server.base.replacen("http://", "ws://", 1)
    )
}

/// The HTTP answer to a WebSocket handshake the server refuses.
async fn ws_refusal(server: &TestServer, query: &str) -> (StatusCode, Value) {
    let url = ws_url(server, query);
    let wait = Duration::from_millis(WS_WAIT_MS);
    let refused = tokio::time::timeout(wait, connect_async(url.as_str()))
        .await
        .unwrap_or_else(|_| panic!("connecting to {url} timed out"));
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            let status = StatusCode::from_u16(resp.status().as_u16()).expect("a status");
            let body = resp.body().as_deref().unwrap_or_default();
            let body = serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
            (status, body)
        }
        Err(e) => panic!("{url}: {e}"),
        Ok(_) => panic!("{url}: the handshake succeeded"),
    }
}

/// The first frame a screen of `view` gets.
async fn first_frame(server: &TestServer, view: &str) -> Value {
    let url = ws_url(server, &format!("view={view}"));
    let wait = Duration::from_millis(WS_WAIT_MS);
    let until = Instant::now() + wait;
    let (mut ws, _) = tokio::time::timeout(wait, connect_async(url.as_str()))
        .await
        .unwrap_or_else(|_| panic!("connecting to {url} timed out"))
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return serde_json::from_str(text.as_str()).expect("frames are JSON");
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no first frame from {url}: {other:?}"),
        }
    }
}
