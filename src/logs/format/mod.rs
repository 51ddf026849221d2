//! Log formats: any nginx `log_format` string (Apache's combined and common are presets of it), and
//! JSON lines with a field mapping. Every parser reads byte slices and never fails the run: a line
//! that does not fit is reported by number with the reason.

pub mod fields;
pub mod json;
pub mod presets;
pub mod request;
pub mod template;
pub mod time;

pub use fields::Fields;
use json::{JsonFormat, Scratch};
use template::{Template, Var};

#[derive(Debug, Clone)]
pub enum Format {
    Template(Template),
    Json(JsonFormat),
}

/// What a format can tell at all, so a rule it cannot feed is SKIPPED, never passed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Carries {
    pub user: bool,
    pub agent: bool,
    pub addr: bool,
    pub set_cookie: bool,
}

impl Format {
    /// `spec`: a preset name (`combined`, `common`, `ticketbooth`, `json`) or an nginx `log_format` string.
    pub fn parse(spec: &str, mapping: &[(String, String)]) -> Result<Format, String> {
        if spec == "json" {
            return JsonFormat::new(mapping).map(Format::Json);
        }
        if !mapping.is_empty() {
            return Err("--field maps JSON lines; it needs --format json".into());
        }
        let text = match presets::named(spec) {
            Some(t) => t,
            None if spec.contains('$') => spec,
            None => {
                return Err(format!(
                    "unknown format `{spec}`: give {} or an nginx log_format string with $variables",
                    presets::NAMES.join(", ")
                ));
            }
        };
        Template::compile(text).map(Format::Template)
    }

    pub fn carries(&self) -> Carries {
        match self {
            Format::Template(t) => Carries {
                user: t.has(|v| *v == Var::User),
                agent: t.has(|v| *v == Var::Agent),
                addr: t.has(|v| *v == Var::Addr),
                set_cookie: t.has(|v| *v == Var::SetCookie),
            },
            Format::Json(j) => Carries {
                user: j.has_user(),
                agent: true,
                addr: true,
                set_cookie: true,
            },
        }
    }

    pub fn read<'a>(
        &'a self,
        line: &'a [u8],
        scratch: &'a mut Scratch,
    ) -> Result<Fields<'a>, &'static str> {
        let f = match self {
            Format::Template(t) => t.read(line)?,
            Format::Json(j) => j.read(line, scratch)?,
        };
        if f.time.is_none() {
            return Err("no time");
        }
        Ok(f)
    }
}

pub use json::Scratch as JsonScratch;
