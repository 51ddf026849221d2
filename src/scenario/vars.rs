//! `${NAME}` variables: from `--var`, `--secret`, the environment, the profile's `vars:`, the persona
//! performing a step (`${persona.username}`, `${persona.password}`, `${persona.name}`) and values saved by
//! earlier steps (`save_as`). `$$` writes a literal `$`.

/// The names referenced by a template, in order, with their byte offset.
pub fn references(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'$') {
            i += 2;
            continue;
        }
        if bytes[i] == b'$'
            && bytes.get(i + 1) == Some(&b'{')
            && let Some(end) = text[i + 2..].find('}')
        {
            out.push((text[i + 2..i + 2 + end].trim().to_string(), i));
            i += end + 3;
            continue;
        }
        i += 1;
    }
    out
}

/// Replaces every `${NAME}` using `lookup`; the first unknown name is the error.
pub fn substitute(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else if tail.starts_with("${")
            && let Some(end) = tail.find('}')
        {
            let name = tail[2..end].trim();
            match lookup(name) {
                Some(v) => out.push_str(&v),
                None => return Err(name.to_string()),
            }
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Variables the built-in suite sets before it runs `change_password` and `reset_password`.
pub const SUITE_VARS: [&str; 2] = ["current_password", "new_password"];

/// A fresh random value (32 hex digits) at every use: ids an attacker chooses must differ from run to
/// run, or a run would meet the session an earlier run's planted id became on the same server.
pub const RANDOM: &str = "usher.random";

/// The names a persona provides to the steps it performs.
pub const PERSONA_FIELDS: [&str; 3] = ["persona.name", "persona.username", "persona.password"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_and_escapes() {
        let got = substitute("a ${x} $${y} ${ z }", |n| Some(n.to_uppercase())).unwrap();
        assert_eq!(got, "a X ${y} Z");
        assert_eq!(substitute("${nope}", |_| None).unwrap_err(), "nope");
        assert_eq!(
            references("${a}-${b}"),
            vec![("a".into(), 0), ("b".into(), 5)]
        );
    }
}
