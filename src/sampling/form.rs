//! HTML forms as a browser submits them: the fresh values of a page's hidden inputs (CSRF nonces
//! change per page or per session), and a form's fields encoded as its `enctype` says.

use std::collections::HashMap;
use url::Url;

/// The value of every `<input type=hidden name=...>` on a page at `page`: from a form that posts to
/// `action` first (apps with a nonce per form), then the first of the name anywhere (a page the login
/// page redirected to may hold no login form, but another form carrying the session's nonce).
pub fn hidden_inputs(html: &str, page: &Url, action: &Url) -> HashMap<String, String> {
    let doc = scraper::Html::parse_document(html);
    let forms = scraper::Selector::parse("form").expect("valid selector");
    let hidden = scraper::Selector::parse("input[type=hidden][name]").expect("valid selector");
    let posts_to_action = |form: &scraper::ElementRef| {
        let target = form.value().attr("action").unwrap_or_default();
        page.join(target).is_ok_and(|u| u == *action)
    };
    let mut out = HashMap::new();
    let login_forms = doc.select(&forms).filter(|f| posts_to_action(f));
    let inputs = login_forms
        .flat_map(|f| f.select(&hidden).collect::<Vec<_>>())
        .chain(doc.select(&hidden));
    for input in inputs {
        let el = input.value();
        if let Some(name) = el.attr("name") {
            out.entry(name.to_string())
                .or_insert_with(|| el.attr("value").unwrap_or_default().to_string());
        }
    }
    out
}

/// The page's own form for `action`: the first whose action has its origin and path, with the
/// action as this page writes it (an app that carries the session in the URL puts this visitor's id
/// in the query, not the one of the browser the form was learned from) and its hidden inputs.
pub fn matching_form(
    html: &str,
    page: &Url,
    action: &Url,
) -> Option<(Url, HashMap<String, String>)> {
    let doc = scraper::Html::parse_document(html);
    let forms = scraper::Selector::parse("form").expect("valid selector");
    let hidden = scraper::Selector::parse("input[type=hidden][name]").expect("valid selector");
    doc.select(&forms).find_map(|f| {
        let target = page
            .join(f.value().attr("action").unwrap_or_default())
            .ok()?;
        if target.origin() != action.origin() || target.path() != action.path() {
            return None;
        }
        let mut inputs = HashMap::new();
        for input in f.select(&hidden) {
            let el = input.value();
            if let Some(name) = el.attr("name") {
                inputs
                    .entry(name.to_string())
                    .or_insert_with(|| el.attr("value").unwrap_or_default().to_string());
            }
        }
        Some((target, inputs))
    })
}

/// Sets the `hidden` fields to their fresh values in `fresh`; returns the names whose value changed.
pub fn refresh(
    fields: &mut [(String, String)],
    hidden: &[String],
    fresh: &HashMap<String, String>,
) -> Vec<String> {
    let mut changed = Vec::new();
    for (name, v) in fields.iter_mut() {
        if hidden.contains(name)
            && let Some(new) = fresh.get(name.as_str())
        {
            if v != new {
                changed.push(name.clone());
            }
            *v = new.clone();
        }
    }
    changed
}

/// The form's fields encoded as its `enctype` says: (content type, body).
pub fn encode(enctype: &str, fields: &[(String, String)]) -> (String, Vec<u8>) {
    if enctype.eq_ignore_ascii_case("multipart/form-data") {
        let boundary = format!("----usher{:016x}", rand::random::<u64>());
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{v}\r\n",
                    k.replace('"', "%22")
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    } else {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        (
            "application/x-www-form-urlencoded".to_string(),
            body.into_bytes(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_inputs_come_from_the_login_form_first_then_any_form() {
        let page = Url::parse("http://app.localhost/app/login").unwrap();
        let action = Url::parse("http://app.localhost/app/login").unwrap();
        let html = r#"<form action="/app/logout"><input type="hidden" name="csrf" value="a1"></form>
            <form method=post action=""><input type="hidden" name="csrf" value="b2">
            <input type="text" name="email" value="x"></form>
            <form><input type=hidden name=next value="/x"></form>"#;
        let h = hidden_inputs(html, &page, &action);
        assert_eq!(h.get("csrf").map(String::as_str), Some("b2"));
        assert_eq!(h.get("next").map(String::as_str), Some("/x"));
        assert!(!h.contains_key("email"));
        // Redirected to the account page: no login form; the logout form's nonce is the session's.
        let account = Url::parse("http://app.localhost/app/account").unwrap();
        let html = r#"<form action="/app/logout" method="post"><input type="hidden" name="csrf" value="c3"></form>"#;
        let h = hidden_inputs(html, &account, &action);
        assert_eq!(h.get("csrf").map(String::as_str), Some("c3"));
        let logout = Url::parse("http://app.localhost/app/logout?sid=learners").unwrap();
        let (mine, inputs) = matching_form(html, &account, &logout).expect("the logout form");
        assert_eq!(mine.as_str(), "http://app.localhost/app/logout");
        assert_eq!(inputs.get("csrf").map(String::as_str), Some("c3"));
        assert!(matching_form(html, &account, &action).is_none());
    }

    #[test]
    fn refresh_touches_hidden_fields_only() {
        let mut fields = vec![
            ("csrf".to_string(), "old".to_string()),
            ("email".to_string(), "a@b.test".to_string()),
        ];
        let fresh: HashMap<String, String> = [
            ("csrf".to_string(), "new".to_string()),
            ("email".to_string(), "x".to_string()),
        ]
        .into();
        let changed = refresh(&mut fields, &["csrf".to_string()], &fresh);
        assert_eq!(changed, vec!["csrf".to_string()]);
        assert_eq!(fields[0].1, "new");
        assert_eq!(fields[1].1, "a@b.test");
    }

    #[test]
    fn forms_encode_as_their_enctype_says() {
        let fields = vec![("email".to_string(), "a@b.test".to_string())];
        let (ctype, body) = encode("application/x-www-form-urlencoded", &fields);
        assert_eq!(ctype, "application/x-www-form-urlencoded");
        assert_eq!(body, b"email=a%40b.test");
        let (ctype, body) = encode("multipart/form-data", &fields);
        assert!(ctype.starts_with("multipart/form-data; boundary="));
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains("name=\"email\"\r\n\r\na@b.test\r\n"),
            "{text}"
        );
    }
}
