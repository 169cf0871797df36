//! A small validator for the JSON Schema subset utoipa emits (type, properties, required, items, $ref,
//! oneOf/anyOf/allOf, enum, nullable type arrays, format uuid/date), enough to check that a real response
//! matches the OpenAPI document.

use serde_json::Value;

/// Every mismatch between `value` and `schema` (empty when it matches).
pub fn validate(doc: &Value, schema: &Value, value: &Value, path: &str) -> Vec<String> {
    let mut errors = Vec::new();
    check(doc, schema, value, path, &mut errors, 0);
    errors
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..16 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let ptr = r.trim_start_matches('#');
                match doc.pointer(ptr) {
                    Some(t) => s = t,
                    None => return s,
                }
            }
            None => return s,
        }
    }
    s
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

fn check(
    doc: &Value,
    schema: &Value,
    v: &Value,
    path: &str,
    errors: &mut Vec<String>,
    depth: usize,
) {
    if depth > 32 {
        errors.push(format!("{path}: schema too deep"));
        return;
    }
    let s = resolve(doc, schema);
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(doc, sub, v, path, errors, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let matches = alts
                .iter()
                .filter(|a| validate(doc, a, v, path).is_empty())
                .count();
            let ok = if key == "oneOf" {
                matches == 1
            } else {
                matches >= 1
            };
            if !ok {
                errors.push(format!("{path}: {matches} alternatives of {key} match {v}"));
            }
        }
    }
    if s.get("nullable").and_then(Value::as_bool) == Some(true) && v.is_null() {
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)) => {
            errors.push(format!("{path}: expected one of {ts:?}, got {v}"));
            return;
        }
        _ => {}
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {e:?}"));
    }
    if let (Some(fmt), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
        let ok = match fmt {
            "uuid" => uuid::Uuid::parse_str(text).is_ok(),
            "date" => {
                text.len() == 10
                    && text.as_bytes().get(4) == Some(&b'-')
                    && text.as_bytes().get(7) == Some(&b'-')
            }
            _ => true,
        };
        if !ok {
            errors.push(format!("{path}: {text:?} is not a {fmt}"));
        }
    }
    if let Some(obj) = v.as_object() {
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    errors.push(format!("{path}: missing required property {r}"));
                }
            }
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, sub) in props {
                if let Some(val) = obj.get(k) {
                    check(doc, sub, val, &format!("{path}.{k}"), errors, depth + 1);
                }
            }
            if s.get("additionalProperties") == Some(&Value::Bool(false)) {
                for k in obj.keys() {
                    if !props.contains_key(k) {
                        errors.push(format!("{path}: unexpected property {k}"));
                    }
                }
            }
            // A property the server sends that the document does not declare is a drift too.
            for k in obj.keys() {
                if !props.contains_key(k) {
                    errors.push(format!("{path}: property {k} is not in the document"));
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            check(doc, items, item, &format!("{path}[{i}]"), errors, depth + 1);
        }
    }
}

#[test]
fn the_validator_rejects_what_does_not_match() {
    let doc = serde_json::json!({"components": {"schemas": {"P": {
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
                       "email": {"type": ["string", "null"]}}}}}});
    let schema = serde_json::json!({"$ref": "#/components/schemas/P"});
    let good = serde_json::json!({"id": "0191d6a8-0000-7000-8000-000000000000", "name": "Kari", "email": null});
    assert!(validate(&doc, &schema, &good, "$").is_empty());
    let bad = serde_json::json!({"id": "x", "extra": 1});
    let errs = validate(&doc, &schema, &bad, "$");
    assert!(
        errs.iter()
            .any(|e| e.contains("missing required property name")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.contains("not a uuid")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("extra")), "{errs:?}");
}
