//! `mobile_emulation:` in a profile: Chrome's device emulation (viewport, pixel ratio, touch,
//! mobile User-Agent) for testing the mobile web build of an app without a device. It becomes
//! `goog:chromeOptions.mobileEmulation` on every session.

use super::convert::Ctx;
use super::node::Node;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// A device from Chrome's list, or the metrics of one.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MobileEmulationDoc {
    /// A device name as Chrome DevTools lists it, e.g. `Pixel 7` or `iPhone 14 Pro Max`.
    pub device: Option<String>,
    /// Viewport width in CSS pixels (with `height`, instead of `device`).
    pub width: Option<u32>,
    /// Viewport height in CSS pixels.
    pub height: Option<u32>,
    /// Device pixel ratio; default 1.
    pub pixel_ratio: Option<f64>,
    /// The User-Agent to send; default: the browser's own.
    pub user_agent: Option<String>,
    /// Touch events instead of mouse events; default true.
    pub touch: Option<bool>,
    /// A mobile viewport (meta viewport honoured, scrollbars overlaid); default true.
    pub mobile: Option<bool>,
}

impl MobileEmulationDoc {
    /// The `mobileEmulation` object chromedriver takes, or what is wrong with this one.
    pub fn to_chrome(&self) -> Result<Value, (String, String)> {
        let metrics = self.width.is_some()
            || self.height.is_some()
            || self.pixel_ratio.is_some()
            || self.touch.is_some()
            || self.mobile.is_some();
        match (&self.device, self.width, self.height) {
            (Some(_), ..) if metrics || self.user_agent.is_some() => Err((
                "`device` cannot be combined with metrics or `user_agent`".into(),
                "a named device brings its own; leave out `device` to give `width`, `height`, ... yourself"
                    .into(),
            )),
            (Some(name), ..) if name.trim().is_empty() => Err((
                "`device` is empty".into(),
                "name a device from Chrome DevTools' list, e.g. `Pixel 7`".into(),
            )),
            (Some(name), ..) => Ok(json!({ "deviceName": name })),
            (None, Some(w), Some(h)) if w > 0 && h > 0 => {
                if self.pixel_ratio.is_some_and(|r| !(r > 0.0 && r <= 10.0)) {
                    return Err((
                        "`pixel_ratio` must be above 0 and at most 10".into(),
                        "phones are about 2-4".into(),
                    ));
                }
                let mut out = Map::new();
                out.insert(
                    "deviceMetrics".into(),
                    json!({
                        "width": w,
                        "height": h,
                        "pixelRatio": self.pixel_ratio.unwrap_or(1.0),
                        "touch": self.touch.unwrap_or(true),
                        "mobile": self.mobile.unwrap_or(true),
                    }),
                );
                if let Some(ua) = &self.user_agent {
                    out.insert("userAgent".into(), json!(ua));
                }
                Ok(Value::Object(out))
            }
            (None, Some(_), Some(_)) => Err((
                "`width` and `height` must be above 0".into(),
                "CSS pixels, e.g. `width: 412, height: 915`".into(),
            )),
            _ => Err((
                "`mobile_emulation` needs `device`, or `width` and `height`".into(),
                "e.g. `mobile_emulation: { device: Pixel 7 }` or `{ width: 412, height: 915, pixel_ratio: 2.625 }`"
                    .into(),
            )),
        }
    }
}

/// Parses `mobile_emulation:`; reports problems at the value and returns `None` then.
pub fn from_node(ctx: &mut Ctx, value: &Node) -> Option<Value> {
    let doc: MobileEmulationDoc = ctx.typed(value, "`mobile_emulation`")?;
    match doc.to_chrome() {
        Ok(v) => Some(v),
        Err((message, hint)) => {
            ctx.error(value.pos, 1, message, Some(hint));
            None
        }
    }
}

/// Puts the emulation into `goog:chromeOptions` of the profile's capabilities, beside whatever
/// chromeOptions the profile already gives.
pub fn merge_into(capabilities: &mut Map<String, Value>, emulation: Value) {
    let options = capabilities
        .entry("goog:chromeOptions")
        .or_insert_with(|| Value::Object(Map::new()));
    if !options.is_object() {
        *options = Value::Object(Map::new());
    }
    if let Value::Object(o) = options {
        o.insert("mobileEmulation".into(), emulation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(v: Value) -> MobileEmulationDoc {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_device_or_metrics() {
        assert_eq!(
            doc(json!({"device": "Pixel 7"})).to_chrome().unwrap(),
            json!({"deviceName": "Pixel 7"})
        );
        assert_eq!(
            doc(json!({"width": 412, "height": 915, "pixel_ratio": 2.625, "user_agent": "UA"}))
                .to_chrome()
                .unwrap(),
            json!({"deviceMetrics": {"width": 412, "height": 915, "pixelRatio": 2.625,
                   "touch": true, "mobile": true}, "userAgent": "UA"})
        );
    }

    #[test]
    fn contradictions_and_gaps_are_refused() {
        for bad in [
            json!({}),
            json!({"device": "Pixel 7", "width": 400}),
            json!({"device": " "}),
            json!({"width": 412}),
            json!({"width": 0, "height": 915}),
            json!({"width": 412, "height": 915, "pixel_ratio": 0.0}),
        ] {
            assert!(doc(bad.clone()).to_chrome().is_err(), "{bad}");
        }
    }

    #[test]
    fn merged_beside_other_chrome_options() {
        let mut caps = Map::new();
        caps.insert("goog:chromeOptions".into(), json!({"args": ["--lang=de"]}));
        merge_into(&mut caps, json!({"deviceName": "Pixel 7"}));
        assert_eq!(
            caps["goog:chromeOptions"],
            json!({"args": ["--lang=de"], "mobileEmulation": {"deviceName": "Pixel 7"}})
        );
    }
}
