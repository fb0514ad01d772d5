//! The document's own soundness (OpenAPI 3.1, every `$ref` resolves), a small schema checker that
//! is itself tested, and the stock view, show and alert schemas against real answers.

use crate::common::*;
use crate::{an_alert, document, keys, resolve, schema};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

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

/// A schema's `required`, as a set.
fn required(doc: &Value, name: &str) -> BTreeSet<String> {
    schema(doc, name)["required"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has no required list"))
        .iter()
        .map(|k| k.as_str().expect("required names are strings").to_owned())
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
pub(crate) fn assert_matches(doc: &Value, s: &Value, v: &Value, what: &str) {
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

/// Creates the SKU `code` with `on_hand` units as the operator.
async fn create(server: &TestServer, code: &str, on_hand: i64) -> Value {
    server.create_skus(&new_sku(code, on_hand, 19_900)).await
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
        // Properties beyond the answer's keys are optional ones (a StockView's `rooms` only once a
        // room sold it): the required list is exactly the keys, and none is undocumented.
        let props = keys(&schema(&doc, name)["properties"]);
        assert!(
            keys(answer).is_subset(&props),
            "{name}'s properties {props:?} lack some keys of {answer}"
        );
        assert_matches(&doc, schema(&doc, name), answer, name);
    }
}

/// Every example of the document (`example` of a body or an answer, `examples` of a schema) with
/// the schema it illustrates and where it is.
fn examples(doc: &Value) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    let mut media = |at: String, content: &Value| {
        for (ctype, m) in content.as_object().into_iter().flatten() {
            if let Some(example) = m.get("example")
                && ctype == "application/json"
            {
                out.push((
                    format!("{at} {ctype}"),
                    m["schema"].clone(),
                    example.clone(),
                ));
            }
        }
    };
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let at = format!("{} {path}", method.to_uppercase());
            media(format!("{at} request"), &op["requestBody"]["content"]);
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                media(format!("{at} {status}"), &resolve(doc, r)["content"]);
            }
        }
    }
    for (name, s) in doc["components"]["schemas"].as_object().expect("schemas") {
        for example in s["examples"].as_array().into_iter().flatten() {
            out.push((format!("schema {name}"), s.clone(), example.clone()));
        }
    }
    out
}

#[tokio::test]
async fn every_example_matches_its_schema_and_every_json_body_and_shared_error_has_one() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let found = examples(&doc);
    assert!(
        found.len() > 20,
        "the document has examples: {}",
        found.len()
    );
    for (at, s, example) in &found {
        assert_matches(&doc, s, example, &format!("the example of {at}"));
    }
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let body = &op["requestBody"]["content"];
            for (ctype, m) in body.as_object().into_iter().flatten() {
                let binary = m["schema"] == json!({"$ref": "#/components/schemas/Workbook"});
                assert!(
                    binary
                        || m["example"].is_string()
                        || m["example"].is_object()
                        || m["example"].is_array(),
                    "{method} {path}: an example of its {ctype} body"
                );
            }
        }
    }
    for (name, r) in doc["components"]["responses"]
        .as_object()
        .expect("responses")
    {
        let example = &r["content"]["application/json"]["example"];
        assert!(
            example["error"]["code"].is_string(),
            "{name}: an example error body"
        );
    }
}
