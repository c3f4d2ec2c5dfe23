//! snapml's `set_params` JSON (`gfp_params.json`) to [`GfpParams`].

use super::{GfpParams, Histogram, VertexStat, VertexStats};
use serde_json::Value;

/// What is wrong with a parameters document, naming the key.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum JsonError {
    #[error("not valid JSON: {0}")]
    Syntax(String),
    #[error("expected a JSON object of parameters (or of named configurations)")]
    NotAnObject,
    #[error("no configuration named {0:?} (there are {1:?})")]
    NoSuchConfiguration(String, Vec<String>),
    #[error("holds configurations {0:?}; choose one")]
    ChooseConfiguration(Vec<String>),
    #[error("{key}: {problem}")]
    Key { key: String, problem: String },
}

fn bad(key: &str, problem: impl Into<String>) -> JsonError {
    JsonError::Key {
        key: key.to_string(),
        problem: problem.into(),
    }
}

impl GfpParams {
    /// Reads snapml parameters; a document holding several named
    /// configurations (like `gfp_params.json`) takes `name`, or its only one.
    /// The result still goes through [`GfpParams::validate`] when used.
    pub fn from_json(text: &str, name: Option<&str>) -> Result<GfpParams, JsonError> {
        let v: Value = serde_json::from_str(text).map_err(|e| JsonError::Syntax(e.to_string()))?;
        let obj = v.as_object().ok_or(JsonError::NotAnObject)?;
        let looks_like_params = [
            "fan",
            "degree",
            "vertex_stats",
            "scatter-gather",
            "temp-cycle",
            "lc-cycle",
        ]
        .iter()
        .any(|k| obj.contains_key(*k));
        let v = if looks_like_params {
            &v
        } else {
            let names: Vec<String> = obj.keys().cloned().collect();
            match name {
                Some(n) => obj
                    .get(n)
                    .ok_or_else(|| JsonError::NoSuchConfiguration(n.to_string(), names.clone()))?,
                None if obj.len() == 1 => obj.values().next().expect("one entry"),
                None => return Err(JsonError::ChooseConfiguration(names)),
            }
        };
        params(v)
    }
}

fn params(v: &Value) -> Result<GfpParams, JsonError> {
    if !v.is_object() {
        return Err(JsonError::NotAnObject);
    }
    let flag = |key: &str| -> Result<bool, JsonError> {
        match v.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(bad(key, format!("expected true or false, got {other}"))),
        }
    };
    let int = |key: &str| -> Result<i64, JsonError> {
        let x = v.get(key).ok_or_else(|| bad(key, "missing"))?;
        x.as_i64()
            .ok_or_else(|| bad(key, format!("expected an integer, got {x}")))
    };
    let ints = |key: &str| -> Result<Vec<i64>, JsonError> {
        v.get(key)
            .ok_or_else(|| bad(key, "missing"))?
            .as_array()
            .ok_or_else(|| bad(key, "expected a list of integers"))?
            .iter()
            .map(|x| {
                x.as_i64()
                    .ok_or_else(|| bad(key, format!("{x} is not an integer")))
            })
            .collect()
    };
    let histogram = |name: &str| -> Result<Option<Histogram>, JsonError> {
        if !flag(name)? {
            return Ok(None);
        }
        let key = format!("{name}_bins");
        let bins = ints(&key)?
            .into_iter()
            .map(|b| u32::try_from(b).map_err(|_| bad(&key, format!("{b} out of range"))))
            .collect::<Result<_, _>>()?;
        Ok(Some(Histogram {
            window: int(&format!("{name}_tw"))?,
            bins,
        }))
    };
    let time_window = match v.get("time_window") {
        None => None,
        Some(x) => match x.as_i64() {
            Some(-1) => None,
            Some(tw) if tw > 0 => Some(tw),
            _ => {
                return Err(bad(
                    "time_window",
                    format!("expected -1 or a positive number of seconds, got {x}"),
                ))
            }
        },
    };
    let lc_cycle = histogram("lc-cycle")?;
    let lc_cycle_len = if lc_cycle.is_some() {
        let n = int("lc-cycle_len")?;
        usize::try_from(n).map_err(|_| bad("lc-cycle_len", format!("{n} is not a length")))?
    } else {
        0
    };
    let vertex_stats = if flag("vertex_stats")? {
        let columns = ints("vertex_stats_cols")?
            .into_iter()
            .map(|c| {
                usize::try_from(c).map_err(|_| bad("vertex_stats_cols", format!("no column {c}")))
            })
            .collect::<Result<_, _>>()?;
        let mut stats = ints("vertex_stats_feats")?
            .into_iter()
            .map(|c| {
                VertexStat::from_code(c)
                    .ok_or_else(|| bad("vertex_stats_feats", format!("no statistic {c} (0–10)")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        stats.sort();
        stats.dedup();
        Some(VertexStats {
            window: int("vertex_stats_tw")?,
            columns,
            stats,
        })
    } else {
        None
    };
    Ok(GfpParams {
        time_window,
        fan: histogram("fan")?,
        degree: histogram("degree")?,
        scatter_gather: histogram("scatter-gather")?,
        temporal_cycle: histogram("temp-cycle")?,
        lc_cycle,
        lc_cycle_len,
        vertex_stats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_named_configurations_and_names_bad_keys() {
        let doc =
            r#"{"a": {"fan": true, "fan_tw": 60, "fan_bins": [2, 3]}, "b": {"degree": false}}"#;
        let p = GfpParams::from_json(doc, Some("a")).unwrap();
        assert_eq!(
            p.fan,
            Some(Histogram {
                window: 60,
                bins: vec![2, 3]
            })
        );
        assert!(matches!(
            GfpParams::from_json(doc, None),
            Err(JsonError::ChooseConfiguration(_))
        ));
        let e = GfpParams::from_json(r#"{"fan": true, "fan_tw": 60, "fan_bins": [2, "x"]}"#, None)
            .unwrap_err();
        assert_eq!(e.to_string(), r#"fan_bins: "x" is not an integer"#);
        let e = GfpParams::from_json(r#"{"fan": "yes"}"#, None).unwrap_err();
        assert!(e.to_string().starts_with("fan: expected true or false"));
        assert!(matches!(
            GfpParams::from_json("[1", None),
            Err(JsonError::Syntax(_))
        ));
    }
}
