//! A small JSON reader that keeps number literals as text.
//!
//! `serde_json` without its `arbitrary_precision` feature turns every number into `u64`,
//! `i64` or `f64`, losing 2^70, 1e400 and long fractions, and that feature cannot be turned on
//! for this module alone (it changes `serde_json` for the whole dependency graph). So the
//! structure is parsed here and number tokens are kept verbatim; only string unescaping is
//! delegated to `serde_json`, which gets the escapes and UTF-8 rules right.

use super::MAX_DEPTH;

/// A parsed JSON document. Object members keep their order and duplicates; readers let the
/// last duplicate win, as Go's decoder does.
#[derive(Debug, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// What kind of JSON this is, for error messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a JSON boolean",
            Json::Number(_) => "a JSON number",
            Json::String(_) => "a JSON string",
            Json::Array(_) => "a JSON array",
            Json::Object(_) => "a JSON object",
        }
    }
}

/// Parses one complete JSON document; the error names the byte offset of the problem.
pub(super) fn parse(text: &[u8]) -> Result<Json, String> {
    let mut parser = Parser { text, pos: 0 };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != text.len() {
        return Err(parser.error("unexpected data after the JSON value"));
    }
    Ok(value)
}

/// Appends `s` as a JSON string literal.
pub(super) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.pos)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.text.get(self.pos) == Some(&byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_whitespace();
        let rest = &self.text[self.pos..];
        for (literal, value) in [
            ("null", Json::Null),
            ("true", Json::Bool(true)),
            ("false", Json::Bool(false)),
        ] {
            if rest.starts_with(literal.as_bytes()) {
                self.pos += literal.len();
                return Ok(value);
            }
        }
        match rest.first() {
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.error("expected ',' or ']'"));
                        }
                    }
                }
                Ok(Json::Array(items))
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_whitespace();
                        if self.text.get(self.pos) != Some(&b'"') {
                            return Err(self.error("expected an object key string"));
                        }
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return Err(self.error("expected ':'"));
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.error("expected ',' or '}'"));
                        }
                    }
                }
                Ok(Json::Object(members))
            }
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        let mut end = start + 1;
        loop {
            match self.text.get(end) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => break,
                Some(b'\\') => end += 2,
                Some(_) => end += 1,
            }
        }
        let literal = &self.text[start..=end];
        let decoded = serde_json::from_slice(literal).map_err(|e| self.error(&e.to_string()))?;
        self.pos = end + 1;
        Ok(decoded)
    }

    /// Checks the token against JSON's number grammar and keeps its text.
    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        let peek = |p: &Parser| p.text.get(p.pos).copied();
        let digits = |p: &mut Parser| {
            let from = p.pos;
            while peek(p).is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > from
        };
        if peek(self) == Some(b'-') {
            self.pos += 1;
        }
        // JSON allows a single leading zero only.
        let mut valid = if peek(self) == Some(b'0') {
            self.pos += 1;
            !peek(self).is_some_and(|b| b.is_ascii_digit())
        } else {
            digits(self)
        };
        if valid && peek(self) == Some(b'.') {
            self.pos += 1;
            valid = digits(self);
        }
        if valid && matches!(peek(self), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(peek(self), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            valid = digits(self);
        }
        if !valid {
            return Err(self.error("malformed number"));
        }
        // The token is ASCII by construction.
        let token = String::from_utf8_lossy(&self.text[start..self.pos]).into_owned();
        Ok(Json::Number(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_number_text_and_structure() {
        let parsed =
            parse(br#" {"a": [1180591620717411303424, -0.1e-2, "x\u00e9\n"], "b": null} "#);
        assert_eq!(
            parsed.unwrap(),
            Json::Object(vec![
                (
                    "a".into(),
                    Json::Array(vec![
                        Json::Number("1180591620717411303424".into()),
                        Json::Number("-0.1e-2".into()),
                        Json::String("xé\n".into()),
                    ])
                ),
                ("b".into(), Json::Null),
            ])
        );
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "", "01", "-", "1.", ".5", "1e", "+1", "[1,]", "{\"a\"}", "{a:1}", "\"abc", "[1] 2",
            "\"\\x\"", "nul", "[",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(
            parse(deep.as_bytes())
                .unwrap_err()
                .contains("nested too deeply")
        );
    }

    #[test]
    fn writes_escaped_strings() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, r#""a\"b\\c\n\u0001é""#);
        assert_eq!(
            serde_json::from_str::<String>(&out).unwrap(),
            "a\"b\\c\n\u{1}é"
        );
    }
}
