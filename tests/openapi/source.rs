//! The router against the document: every route of `web::app()` (read from src/web/mod.rs and the
//! handlers' `#[utoipa::path]` at test time) is documented with its methods and the roles its
//! handler admits, and no route is added around utoipa-axum's `routes!()`.

use crate::common::*;
use crate::{document, resolve};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

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

/// A file of this crate, read at test time.
fn source(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The source of a module of src/web as a handler names it (`api`, `api::skus`): its file
/// (src/web/api/skus.rs, or src/web/api/skus/mod.rs), and the path read, for failure messages.
fn web_module(module: &str) -> (String, String) {
    let rel = module.replace("::", "/");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = [format!("src/web/{rel}.rs"), format!("src/web/{rel}/mod.rs")]
        .into_iter()
        .find(|rel| root.join(rel).is_file())
        .unwrap_or_else(|| panic!("no source for the module web::{module}"));
    (source(&rel), rel)
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

/// One path of the router, with the methods its handlers serve.
#[derive(Debug)]
struct Route {
    path: String,
    /// `(method, handler)`, the handler as written (`api::list_skus`, `api::skus::list_skus`).
    methods: Vec<(String, String)>,
}

/// The method and path of a handler's `#[utoipa::path(METHOD, path = "...")]`, which
/// utoipa-axum's `routes!()` serves it at.
fn handler_route(handler: &str) -> (String, String) {
    let (module, name) = handler
        .rsplit_once("::")
        .unwrap_or_else(|| panic!("a handler as module::name, not {handler}"));
    let (file, path) = web_module(module);
    let at = file
        .find(&format!("async fn {name}("))
        .unwrap_or_else(|| panic!("no async fn {name} in {path}"));
    let open = file[..at]
        .rfind("#[utoipa::path(")
        .unwrap_or_else(|| panic!("{handler}: no #[utoipa::path] in {path}"));
    let args = parenthesised(&file, open + "#[utoipa::path".len());
    assert!(
        !file[open + args.len()..at].contains("async fn "),
        "{handler}: its #[utoipa::path] belongs to another handler"
    );
    let method = args.split(',').next().unwrap_or_default().trim().to_owned();
    assert!(
        METHODS.contains(&method.as_str()),
        "{handler}: the operation's method comes first, not {method}"
    );
    let (_, rest) = args
        .split_once("path = ")
        .unwrap_or_else(|| panic!("{handler}: no path = in its #[utoipa::path]"));
    let (route, _) = first_literal(rest);
    (method, route.to_owned())
}

/// Every route of src/web/mod.rs: the handlers of its `routes!(...)` calls, at the method and path
/// of their `#[utoipa::path]`. A route added with a plain axum `.route(...)` would escape the
/// document, so there must be none.
fn routes() -> Vec<Route> {
    let src = source("src/web/mod.rs");
    assert!(
        !src.contains(".route("),
        "src/web/mod.rs adds a route outside routes!(), which the document would not show"
    );
    let mut routes: Vec<Route> = Vec::new();
    for (at, _) in src.match_indices("routes!(") {
        let handlers = parenthesised(&src, at + "routes!".len());
        // `in_room(routes!(...))`: the same handlers at /api/v1/rooms/{room}/... too.
        let in_room = src[..at].ends_with("in_room(");
        for handler in handlers.split(',').map(str::trim).filter(|h| !h.is_empty()) {
            let (method, path) = handler_route(handler);
            // axum's catch-all `{*path}` is OpenAPI's `{path}`.
            let mut path = path.replace("{*", "{");
            if in_room {
                path = path.replacen("/api/v1/", "/api/v1/rooms/{room}/", 1);
            }
            match routes.iter_mut().find(|r| r.path == path) {
                Some(r) => r.methods.push((method, handler.to_owned())),
                None => routes.push(Route {
                    path,
                    methods: vec![(method, handler.to_owned())],
                }),
            }
        }
    }
    assert!(
        routes.iter().any(|r| r.path == "/api/openapi.json"),
        "the scan of src/web/mod.rs found no /api/openapi.json route: {routes:?}"
    );
    routes
}

/// The roles a handler admits (admin always is), or `None` for a handler that takes no token:
/// read from its `caller.require(...)` and the `*_ROLES` constant that names them, in the handler's
/// file or in its parent module (`api::skus::list_skus` may take its roles from src/web/api/mod.rs).
fn handler_roles(handler: &str) -> Option<BTreeSet<String>> {
    let (module, name) = handler
        .rsplit_once("::")
        .unwrap_or_else(|| panic!("a handler as module::name, not {handler}"));
    let (file, path) = web_module(module);
    let parent = module
        .rsplit_once("::")
        .map(|(parent, _)| web_module(parent).0)
        .unwrap_or_default();
    let start = file
        .find(&format!("async fn {name}("))
        .unwrap_or_else(|| panic!("no async fn {name} in {path}"));
    let body = &file[start..];
    let body = &body[..body.find("\n}\n").unwrap_or(body.len())];
    let required = calls(body, "require");
    let arg = required.first()?;
    let list = match *arg {
        "&Role::ALL" => "Role::ALL".to_owned(),
        constant => {
            let decl = format!("const {constant}: &[Role] = ");
            let (text, at) = [&file, &parent]
                .into_iter()
                .find_map(|text| text.find(&decl).map(|at| (text, at)))
                .unwrap_or_else(|| panic!("no {decl} in {path} or its parent module"));
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

#[test]
fn the_route_scan_reads_every_handler_of_a_path_and_its_method() {
    let rs = routes();
    let sku = rs
        .iter()
        .find(|r| r.path == "/api/v1/skus/{sku}")
        .expect("the SKU route, two handlers in one routes!()");
    let methods: Vec<&str> = sku.methods.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(methods, ["get", "patch"]);
    // The handlers as the router names them, wherever the web layer keeps them.
    let handler = |path: &str, method: &str| {
        let route = rs.iter().find(|r| r.path == path).expect("a route");
        let (_, h) = route
            .methods
            .iter()
            .find(|(m, _)| m == method)
            .expect("a method");
        h.clone()
    };
    assert_eq!(
        handler_roles(&handler("/api/v1/skus/{sku}", "patch")),
        Some(BTreeSet::from(["admin".to_owned(), "operator".to_owned()]))
    );
    assert_eq!(handler_roles(&handler("/healthz", "get")), None);
    assert_eq!(
        handler_roles(&handler("/api/v1/skus", "get")).map(|r| r.len()),
        Some(6)
    );
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
