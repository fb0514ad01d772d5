//! JSON bodies parsed once at the edge: a body over its limit is `too_large`, bad syntax `bad_json`,
//! a wrong or missing field `invalid` naming it (`lines[0].qty`), and an array may hold one or many.
//! Query strings the same way: a bad parameter is `invalid` naming it, in the error body.

use super::error::ApiError;
use super::integral::integral_numbers;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The largest JSON body taken: a batch of 1,000 events or SKUs fits with room to spare.
pub const JSON_BODY_BYTES_MAX: usize = 2 << 20;
/// The most elements one array body may hold (API.md: ≤ 1000).
pub const BATCH_ITEMS_MAX: usize = 1000;

/// Reads the whole body, refusing one larger than `limit` bytes.
pub async fn body_bytes(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                || e.to_string().contains("length limit");
            if too_large {
                ApiError::too_large(format!("the body is larger than {limit} bytes"))
            } else {
                ApiError::bad_json(format!("the body could not be read: {e}"))
            }
        })
}

/// The query string parsed into `T`; a bad parameter is 422 `invalid` naming it (axum's own
/// `Query` answers in plain text).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let field = match field_of(&path, &message).as_str() {
                    "body" => "query".to_owned(),
                    field => field.to_owned(),
                };
                ApiError::invalid(field, format!("bad query parameter: {message}"))
            })
    }
}

/// Parses JSON into `T`, naming the field at fault.
/// An integer may be written `100.0` or `1e2` (see [`integral_numbers`]).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = integral_numbers(bytes);
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_json(format!("the body is not valid JSON: {inner}"));
        }
        let message = inner.to_string();
        let field = field_of(&path, &message);
        ApiError::invalid(field, strip_position(&message))
    })?;
    Ok(value)
}

/// The field a serde message is about: the path, plus the name in a missing, unknown or duplicate
/// field message.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    let base = if path == "." { "" } else { path };
    match named {
        Some(name) if message.starts_with("unknown") && base.ends_with(name) => base.to_owned(),
        Some(name) if base.is_empty() => name.to_owned(),
        Some(name) => format!("{base}.{name}"),
        None if base.is_empty() => "body".to_owned(),
        None => base.to_owned(),
    }
}

/// serde_json ends data errors with "at line 1 column 80": the field already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A JSON object body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, JSON_BODY_BYTES_MAX).await?;
        parse(&bytes).map(JsonBody)
    }
}

/// A body that is one object or an array of at most [`BATCH_ITEMS_MAX`] of them, parsed once,
/// straight into `T`s.
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OneOrMany<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, JSON_BODY_BYTES_MAX).await?;
        Self::from_bytes(&bytes)
    }
}

impl<T: DeserializeOwned> OneOrMany<T> {
    /// Parses a body already read (a handler that needs the raw bytes too, e.g. to check a
    /// signature over them).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApiError> {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => {
                // Counted before any element is parsed: an array over the limit is 413 whatever
                // its elements hold (a malformed one among the first thousand included).
                let Bounded { len, .. } = parse::<Bounded<serde::de::IgnoredAny>>(bytes)?;
                if len > BATCH_ITEMS_MAX {
                    return Err(ApiError::too_large(format!(
                        "an array holds at most {BATCH_ITEMS_MAX} items, this one {len}"
                    )));
                }
                let Bounded { items, .. } = parse(bytes)?;
                if items.is_empty() {
                    return Err(ApiError::invalid("body", "the array is empty"));
                }
                Ok(OneOrMany::Many(items))
            }
            _ => parse(bytes).map(OneOrMany::One),
        }
    }
}

/// A JSON array whose first [`BATCH_ITEMS_MAX`] elements are parsed into `T` and the rest only
/// counted (skipped unparsed, their syntax still checked), so an oversized batch costs no `T`s.
struct Bounded<T> {
    items: Vec<T>,
    /// How many elements the array holds, parsed or not.
    len: usize,
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Bounded<T> {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Elements<T>(std::marker::PhantomData<T>);

        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Elements<T> {
            type Value = Bounded<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Bounded<T>, A::Error> {
                let capacity = seq.size_hint().unwrap_or(0).min(BATCH_ITEMS_MAX);
                let mut items = Vec::with_capacity(capacity);
                while items.len() < BATCH_ITEMS_MAX {
                    match seq.next_element()? {
                        Some(item) => items.push(item),
                        None => {
                            let len = items.len();
                            return Ok(Bounded { items, len });
                        }
                    }
                }
                let mut len = items.len();
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    len += 1;
                }
                Ok(Bounded { items, len })
            }
        }

        de.deserialize_seq(Elements(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        qty: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Ev {
        name: String,
        lines: Vec<Line>,
    }

    fn field(json: &str) -> Option<String> {
        parse::<Ev>(json.as_bytes()).unwrap_err().field
    }

    #[test]
    fn errors_name_the_field_at_fault() {
        assert_eq!(
            field(r#"{"name":"a","lines":[{"qty":-1}]}"#).as_deref(),
            Some("lines[0].qty")
        );
        assert_eq!(field(r#"{"lines":[]}"#).as_deref(), Some("name"));
        assert_eq!(
            field(r#"{"name":"a","lines":[{"qty":1,"x":2}]}"#).as_deref(),
            Some("lines[0].x")
        );
        assert_eq!(
            field(r#"{"name":"a","lines":[{}]}"#).as_deref(),
            Some("lines[0].qty")
        );
        assert_eq!(field(r#"{"name":7,"lines":[]}"#).as_deref(), Some("name"));
    }

    /// What `OneOrMany<Ev>` makes of `body`: the number of events, or the error.
    async fn one_or_many(body: String) -> Result<usize, ApiError> {
        let req = Request::new(axum::body::Body::from(body));
        match OneOrMany::<Ev>::from_request(req, &()).await? {
            OneOrMany::One(_) => Ok(1),
            OneOrMany::Many(evs) => Ok(evs.len()),
        }
    }

    fn ev(qty: &str) -> String {
        format!(r#"{{"name":"a","lines":[{{"qty":{qty}}}]}}"#)
    }

    #[tokio::test]
    async fn an_array_is_parsed_once_into_events_naming_the_element_and_field_at_fault() {
        assert_eq!(one_or_many(ev("1")).await, Ok(1));
        assert_eq!(
            one_or_many(format!("[{},{}]", ev("1"), ev("2"))).await,
            Ok(2)
        );
        let e = one_or_many(format!("[{},{}]", ev("1"), ev("-1")))
            .await
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid", Some("[1].lines[0].qty"))
        );
        let e = one_or_many(" []".to_owned()).await.unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("invalid", Some("body")));
        let e = one_or_many(format!("[{},", ev("1"))).await.unwrap_err();
        assert_eq!(e.code, "bad_json");
    }

    #[tokio::test]
    async fn an_array_over_the_batch_limit_is_too_large_and_counted_in_full() {
        let items = vec![ev("1"); BATCH_ITEMS_MAX];
        assert_eq!(
            one_or_many(format!("[{}]", items.join(","))).await,
            Ok(BATCH_ITEMS_MAX)
        );
        let over = format!("[{},{},{}]", items.join(","), ev("1"), ev("\"x\""));
        let e = one_or_many(over).await.unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (413, "too_large"));
        assert!(e.message.ends_with("this one 1002"), "{}", e.message);
        let broken = format!("[{},{}", items.join(","), ev("1"));
        assert_eq!(one_or_many(broken).await.unwrap_err().code, "bad_json");
    }

    #[test]
    fn syntax_errors_are_bad_json() {
        let e = parse::<Ev>(b"{not json").unwrap_err();
        assert_eq!((e.code, e.status.as_u16()), ("bad_json", 400));
    }
}
