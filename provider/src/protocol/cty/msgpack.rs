//! The msgpack form of a `DynamicValue`, byte-compatible with go-cty's `cty/msgpack`
//! (`marshal.go`, `unmarshal.go`, `unknown.go`, `dynamic.go`).

use rmp::Marker;
use rmp::encode as put;

use super::value::dedup_set;
use super::{CodecError, MAX_DEPTH, Number, Path, PathStep, Refinements, Type, Value};

/// Extension type of an unknown that carries a refinement map (`unknownWithRefinementsExt`).
const REFINED_UNKNOWN_EXT: i8 = 0x0c;
/// A wholly unknown value: fixext1 of type 0 with one zero byte (`unknownValBytes`).
const UNKNOWN: [u8; 3] = [0xd4, 0, 0];
/// go-cty refuses refinement payloads above 1 KiB as abusive.
pub(super) const MAX_REFINEMENTS_LEN: usize = 1024;
/// go-cty cuts string-prefix refinements to fit its payload limit.
const MAX_PREFIX_LEN: usize = 255;

mod key {
    pub(super) const NULLNESS: i64 = 1;
    pub(super) const STRING_PREFIX: i64 = 2;
    pub(super) const NUMBER_MIN: i64 = 3;
    pub(super) const NUMBER_MAX: i64 = 4;
    pub(super) const LENGTH_MIN: i64 = 5;
    pub(super) const LENGTH_MAX: i64 = 6;
}

/// Encodes `value` against `ty` the way Terraform expects a provider's reply.
pub fn to_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut encoder = Encoder {
        out: Vec::new(),
        path: Vec::new(),
    };
    encoder.value(value, ty)?;
    Ok(encoder.out)
}

/// Decodes a msgpack `DynamicValue` of type `ty`; the whole input must be one value.
pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut decoder = Decoder::new(bytes, Vec::new());
    let value = decoder.value(ty)?;
    let trailing = bytes.len() - decoder.pos;
    if trailing > 0 {
        return Err(CodecError::new(
            Path::root(),
            format!(
                "{trailing} unexpected bytes after the msgpack value; expected exactly one value"
            ),
        ));
    }
    Ok(value)
}

// Writing into a `Vec<u8>` cannot fail, so the `Result`s of rmp's writers carry no
// information here and are discarded.
fn put_str(out: &mut Vec<u8>, s: &str) {
    let _ = put::write_str(out, s);
}

fn put_number(out: &mut Vec<u8>, n: &Number) {
    // marshal.go: an int when it fits int64, float64 for a non-integer that float64 holds
    // exactly (here: whose shortest decimal is this number, cty's notion of equality),
    // otherwise the decimal string. Integers beyond int64 are strings too.
    if let Some(i) = n.as_i64() {
        let _ = put::write_sint(out, i);
    } else if let (false, Some(f)) = (n.is_integer(), n.to_f64_lossless()) {
        let _ = put::write_f64(out, f);
    } else {
        put_str(out, &n.to_string());
    }
}

fn put_refinements(out: &mut Vec<u8>, r: &Refinements, ty: &Type) {
    // Refinements are hints: rather than write a payload a reader may refuse (this decoder's
    // limit, like go-cty's), send a plain unknown.
    match refinements_payload(r, ty) {
        Some(payload) if payload.len() <= MAX_REFINEMENTS_LEN => {
            let _ = put::write_ext_meta(out, payload.len() as u32, REFINED_UNKNOWN_EXT);
            out.extend_from_slice(&payload);
        }
        _ => out.extend_from_slice(&UNKNOWN),
    }
}

/// The msgpack map of the refinements that apply to `ty`, or None when none do.
pub(super) fn refinements_payload(r: &Refinements, ty: &Type) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    let mut entries = 0;
    let mut entry = |body: &mut Vec<u8>, key: i64| {
        entries += 1;
        let _ = put::write_sint(body, key);
    };
    // unknown.go writes nothing for dynamic-typed unknowns and only the refinements that
    // apply to the type; key 1 holds "is null", so a non-null unknown writes `false`.
    if *ty != Type::Dynamic && r.not_null {
        entry(&mut body, key::NULLNESS);
        let _ = put::write_bool(&mut body, false);
    }
    match ty {
        Type::String => {
            if let Some(prefix) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                let mut end = prefix.len().min(MAX_PREFIX_LEN);
                while !prefix.is_char_boundary(end) {
                    end -= 1;
                }
                entry(&mut body, key::STRING_PREFIX);
                put_str(&mut body, &prefix[..end]);
            }
        }
        Type::Number => {
            for (k, bound) in [
                (key::NUMBER_MIN, &r.number_lower),
                (key::NUMBER_MAX, &r.number_upper),
            ] {
                if let Some((n, inclusive)) = bound {
                    entry(&mut body, k);
                    let _ = put::write_array_len(&mut body, 2);
                    put_number(&mut body, n);
                    let _ = put::write_bool(&mut body, *inclusive);
                }
            }
        }
        _ if ty.is_collection() => {
            let lower = r.length_lower.filter(|&n| n != 0);
            let upper = r.length_upper.filter(|&n| n < i64::MAX as u64);
            for (k, bound) in [(key::LENGTH_MIN, lower), (key::LENGTH_MAX, upper)] {
                if let Some(n) = bound {
                    entry(&mut body, k);
                    let _ = put::write_uint(&mut body, n);
                }
            }
        }
        _ => {}
    }
    if entries == 0 {
        return None;
    }
    let mut payload = Vec::new();
    let _ = put::write_map_len(&mut payload, entries);
    payload.extend_from_slice(&body);
    Some(payload)
}

struct Encoder {
    out: Vec<u8>,
    path: Vec<PathStep>,
}

impl Encoder {
    fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(Path(self.path.clone()), message)
    }

    fn len(&self, n: usize) -> Result<u32, CodecError> {
        u32::try_from(n).map_err(|_| self.error(format!("{n} elements exceed msgpack's limit")))
    }

    fn array_len(&mut self, n: usize) -> Result<(), CodecError> {
        let n = self.len(n)?;
        let _ = put::write_array_len(&mut self.out, n);
        Ok(())
    }

    fn map_len(&mut self, n: usize) -> Result<(), CodecError> {
        let n = self.len(n)?;
        let _ = put::write_map_len(&mut self.out, n);
        Ok(())
    }

    fn nested(&mut self, step: PathStep, value: &Value, ty: &Type) -> Result<(), CodecError> {
        self.path.push(step);
        self.value(value, ty)?;
        self.path.pop();
        Ok(())
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        match (value, ty) {
            (Value::Null, _) => self.out.push(0xc0),
            (Value::Unknown(r), _) => put_refinements(&mut self.out, r, ty),
            (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
                if **inner_ty == Type::Dynamic {
                    return Err(
                        self.error("a dynamic value needs a concrete type, not \"dynamic\"")
                    );
                }
                // dynamic.go: [type JSON as bin, value encoded against that type].
                let _ = put::write_array_len(&mut self.out, 2);
                let _ = put::write_bin(&mut self.out, &inner_ty.to_json());
                self.value(inner, inner_ty)?;
            }
            (_, Type::Dynamic) => {
                return Err(self.error(format!(
                    "{} at a dynamic position must be wrapped in Value::Dynamic with its type",
                    value.kind()
                )));
            }
            (Value::Bool(b), Type::Bool) => self.out.push(if *b { 0xc3 } else { 0xc2 }),
            (Value::Number(n), Type::Number) => put_number(&mut self.out, n),
            (Value::String(s), Type::String) => put_str(&mut self.out, s),
            (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
                self.array_len(items.len())?;
                for (i, item) in items.iter().enumerate() {
                    self.nested(PathStep::Index(i as i64), item, et)?;
                }
            }
            (Value::Tuple(items), Type::Tuple(types)) if items.len() == types.len() => {
                self.array_len(items.len())?;
                for (i, (item, ty)) in items.iter().zip(types).enumerate() {
                    self.nested(PathStep::Index(i as i64), item, ty)?;
                }
            }
            (Value::Map(entries), Type::Map(et)) => {
                self.map_len(entries.len())?;
                for (k, v) in entries {
                    put_str(&mut self.out, k);
                    self.nested(PathStep::Key(k.clone()), v, et)?;
                }
            }
            (Value::Object(attributes), Type::Object(types)) => {
                if let Some(extra) = attributes.keys().find(|k| !types.contains_key(*k)) {
                    self.path.push(PathStep::Attr(extra.clone()));
                    return Err(self.error("attribute is not part of the schema type"));
                }
                // Every attribute of the type, in sorted order, missing ones as null.
                self.map_len(types.len())?;
                for (name, aty) in types {
                    put_str(&mut self.out, name);
                    let v = attributes.get(name).unwrap_or(&Value::Null);
                    self.nested(PathStep::Attr(name.clone()), v, aty)?;
                }
            }
            _ => {
                return Err(self.error(format!("expected {ty}, but the value is {}", value.kind())));
            }
        }
        Ok(())
    }
}

struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
    path: Vec<PathStep>,
    depth: usize,
}

fn describe(marker: Marker) -> &'static str {
    use Marker::*;
    match marker {
        Null => "nil",
        True | False => "a bool",
        FixPos(_) | FixNeg(_) | U8 | U16 | U32 | U64 | I8 | I16 | I32 | I64 => "an integer",
        F32 | F64 => "a float",
        FixStr(_) | Str8 | Str16 | Str32 => "a string",
        Bin8 | Bin16 | Bin32 => "binary data",
        FixArray(_) | Array16 | Array32 => "an array",
        FixMap(_) | Map16 | Map32 => "a map",
        FixExt1 | FixExt2 | FixExt4 | FixExt8 | FixExt16 | Ext8 | Ext16 | Ext32 => "an extension",
        Reserved => "the reserved byte 0xc1",
    }
}

impl<'a> Decoder<'a> {
    fn new(input: &'a [u8], path: Vec<PathStep>) -> Decoder<'a> {
        Decoder {
            input,
            pos: 0,
            path,
            depth: 0,
        }
    }

    fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(Path(self.path.clone()), message)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.input.len());
        let end = end.ok_or_else(|| self.error("msgpack data ends in the middle of a value"))?;
        let bytes = &self.input[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn uint(&mut self, width: usize) -> Result<u64, CodecError> {
        Ok(self
            .take(width)?
            .iter()
            .fold(0, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn peek(&self) -> Result<Marker, CodecError> {
        match self.input.get(self.pos) {
            Some(&b) => Ok(Marker::from_u8(b)),
            None => Err(self.error("msgpack data ends where a value was expected")),
        }
    }

    fn marker(&mut self) -> Result<Marker, CodecError> {
        let marker = self.peek()?;
        self.pos += 1;
        Ok(marker)
    }

    fn mismatch(&self, expected: &str, found: Marker) -> CodecError {
        self.error(format!(
            "expected {expected}, found {} in the msgpack data",
            describe(found)
        ))
    }

    fn bool(&mut self, expected: &str) -> Result<bool, CodecError> {
        match self.marker()? {
            Marker::True => Ok(true),
            Marker::False => Ok(false),
            other => Err(self.mismatch(expected, other)),
        }
    }

    /// Length of a string or binary payload, `None` for any other marker.
    fn bytes_len(&mut self, marker: Marker) -> Result<Option<usize>, CodecError> {
        Ok(Some(match marker {
            Marker::FixStr(n) => usize::from(n),
            Marker::Str8 | Marker::Bin8 => self.uint(1)? as usize,
            Marker::Str16 | Marker::Bin16 => self.uint(2)? as usize,
            Marker::Str32 | Marker::Bin32 => self.uint(4)? as usize,
            _ => return Ok(None),
        }))
    }

    /// A string; go-cty's decoder takes binary data for strings too.
    fn string(&mut self, expected: &str) -> Result<String, CodecError> {
        let marker = self.marker()?;
        let Some(len) = self.bytes_len(marker)? else {
            return Err(self.mismatch(expected, marker));
        };
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.error("string is not valid UTF-8"))
    }

    fn container_len(&mut self, expected: &str, map: bool) -> Result<usize, CodecError> {
        let marker = self.marker()?;
        Ok(match (marker, map) {
            (Marker::FixArray(n), false) | (Marker::FixMap(n), true) => usize::from(n),
            (Marker::Array16, false) | (Marker::Map16, true) => self.uint(2)? as usize,
            (Marker::Array32, false) | (Marker::Map32, true) => self.uint(4)? as usize,
            _ => return Err(self.mismatch(expected, marker)),
        })
    }

    /// Capacity to reserve for `n` elements: each takes at least one byte, so a forged
    /// length cannot make us allocate more than the input could fill.
    fn capacity(&self, n: usize) -> usize {
        n.min(self.input.len() - self.pos)
    }

    fn nested(&mut self, step: PathStep, ty: &Type) -> Result<Value, CodecError> {
        self.path.push(step);
        let value = self.value(ty)?;
        self.path.pop();
        Ok(value)
    }

    fn value(&mut self, ty: &Type) -> Result<Value, CodecError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("value is nested too deeply"));
        }
        self.depth += 1;
        let value = self.value_inner(ty)?;
        self.depth -= 1;
        Ok(value)
    }

    fn value_inner(&mut self, ty: &Type) -> Result<Value, CodecError> {
        // unmarshal.go: any extension is an unknown, checked before the type.
        match self.peek()? {
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => return self.unknown(ty),
            Marker::Null => {
                self.pos += 1;
                return Ok(Value::Null);
            }
            _ => {}
        }
        Ok(match ty {
            Type::Dynamic => return self.dynamic(),
            Type::Bool => Value::Bool(self.bool("a bool")?),
            Type::Number => Value::Number(self.number()?),
            Type::String => Value::String(self.string("a string")?),
            Type::List(et) | Type::Set(et) => {
                let n = self.container_len(&format!("an array for a {ty}"), false)?;
                let mut items = Vec::with_capacity(self.capacity(n));
                for i in 0..n {
                    items.push(self.nested(PathStep::Index(i as i64), et)?);
                }
                match ty {
                    Type::Set(_) => Value::Set(dedup_set(items)),
                    _ => Value::List(items),
                }
            }
            Type::Tuple(types) => {
                let n = self.container_len("an array for a tuple", false)?;
                if n != types.len() {
                    return Err(self.error(format!(
                        "expected a tuple of {} elements, found {n}",
                        types.len()
                    )));
                }
                let items = types.iter().enumerate();
                let items = items.map(|(i, t)| self.nested(PathStep::Index(i as i64), t));
                Value::Tuple(items.collect::<Result<_, _>>()?)
            }
            Type::Map(et) => {
                let n = self.container_len(&format!("a map for a {ty}"), true)?;
                let mut entries = std::collections::BTreeMap::new();
                for _ in 0..n {
                    let k = self.string("a string map key")?;
                    let v = self.nested(PathStep::Key(k.clone()), et)?;
                    entries.insert(k, v);
                }
                Value::Map(entries)
            }
            Type::Object(types) => {
                let n = self.container_len("a map for an object", true)?;
                let mut attributes = std::collections::BTreeMap::new();
                for _ in 0..n {
                    let name = self.string("a string attribute name")?;
                    let step = PathStep::Attr(name.clone());
                    let Some(aty) = types.get(&name) else {
                        self.path.push(step);
                        return Err(self.error(
                            "unsupported attribute: the schema type has no attribute of this name",
                        ));
                    };
                    let v = self.nested(step, aty)?;
                    attributes.insert(name, v);
                }
                for name in types.keys() {
                    attributes.entry(name.clone()).or_insert(Value::Null);
                }
                Value::Object(attributes)
            }
        })
    }

    /// unmarshal.go: every int and uint width, float32/float64, or a decimal string.
    fn number(&mut self) -> Result<Number, CodecError> {
        let marker = self.marker()?;
        let float = |f: f64, d: &Self| {
            Number::from_f64(f).ok_or_else(|| d.error(format!("number {f} is not finite")))
        };
        Ok(match marker {
            Marker::FixPos(n) => Number::from(u32::from(n)),
            Marker::FixNeg(n) => Number::from(i32::from(n)),
            Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => {
                let width = 1 << (marker.to_u8() - 0xcc);
                Number::from(self.uint(width)?)
            }
            Marker::I8 | Marker::I16 | Marker::I32 | Marker::I64 => {
                let width = 1 << (marker.to_u8() - 0xd0);
                let shift = 64 - 8 * width as u32;
                // Sign-extend the big-endian two's complement value.
                Number::from(((self.uint(width)? << shift) as i64) >> shift)
            }
            Marker::F32 => float(f64::from(f32::from_bits(self.uint(4)? as u32)), self)?,
            Marker::F64 => float(f64::from_bits(self.uint(8)?), self)?,
            _ => {
                self.pos -= 1;
                let text = self.string("a number")?;
                text.parse().map_err(|e| self.error(format!("{e}")))?
            }
        })
    }

    /// dynamic.go: `[type JSON (bin or str), value]`.
    fn dynamic(&mut self) -> Result<Value, CodecError> {
        let n = self.container_len("a [type, value] array for a dynamic value", false)?;
        if n != 2 {
            return Err(self.error(format!(
                "a dynamic value must be a 2-element [type, value] array, found {n} elements"
            )));
        }
        let type_json = self.string("type JSON for a dynamic value")?;
        let ty = Type::from_json(type_json.as_bytes())
            .map_err(|e| self.error(format!("dynamic value: {}", e.message)))?;
        let value = self.value(&ty)?;
        Ok(match ty {
            // A value typed "dynamic" is itself a wrapped value: nothing to record.
            Type::Dynamic => value,
            ty => Value::dynamic(ty, value),
        })
    }

    /// unknown.go: an extension of at most one byte is wholly unknown; longer ones must be
    /// type 12 holding a map of refinements.
    fn unknown(&mut self, ty: &Type) -> Result<Value, CodecError> {
        let len = match self.marker()? {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.uint(1)? as usize,
            Marker::Ext16 => self.uint(2)? as usize,
            _ => self.uint(4)? as usize,
        };
        let ext_type = self.uint(1)? as u8 as i8;
        let body = self.take(len)?;
        if len <= 1 {
            return Ok(Value::unknown());
        }
        if ext_type != REFINED_UNKNOWN_EXT {
            return Err(self.error(format!(
                "unsupported msgpack extension type {ext_type} of {len} bytes; only unknown values are expected"
            )));
        }
        if len > MAX_REFINEMENTS_LEN {
            return Err(self.error("unknown-value refinements exceed 1024 bytes"));
        }
        if *ty == Type::Dynamic {
            // go-cty ignores refinements of a dynamic-typed unknown.
            return Ok(Value::unknown());
        }
        let mut body = Decoder::new(body, self.path.clone());
        // Trailing bytes in the payload are ignored, as go-cty reserves them for the future.
        body.refinements(ty)
            .map_err(|e| self.error(format!("invalid unknown-value refinements: {}", e.message)))
    }

    fn refinements(&mut self, ty: &Type) -> Result<Value, CodecError> {
        let mut r = Refinements::default();
        let n = self.container_len("a map", true)?;
        for _ in 0..n {
            let code = self.number()?.as_i64();
            let code = code.ok_or_else(|| self.error("refinement keys must be integers"))?;
            let applies = |ok: bool, d: &Self| match ok {
                true => Ok(()),
                false => Err(d.error(format!("key {code} does not apply to {ty}"))),
            };
            match code {
                key::NULLNESS if self.bool("a bool for nullness")? => return Ok(Value::Null),
                key::NULLNESS => r.not_null = true,
                key::STRING_PREFIX => {
                    applies(*ty == Type::String, self)?;
                    r.string_prefix = Some(self.string("a string prefix")?);
                }
                key::NUMBER_MIN | key::NUMBER_MAX => {
                    applies(*ty == Type::Number, self)?;
                    if self.container_len("a [number, inclusive] array", false)? != 2 {
                        return Err(self.error("a number bound must be a [number, bool] array"));
                    }
                    let bound = self.number()?;
                    let inclusive = self.bool("a bool for inclusiveness")?;
                    let slot = if code == key::NUMBER_MIN {
                        &mut r.number_lower
                    } else {
                        &mut r.number_upper
                    };
                    *slot = Some((bound, inclusive));
                }
                key::LENGTH_MIN | key::LENGTH_MAX => {
                    applies(ty.is_collection(), self)?;
                    let n = self.number()?.as_u64();
                    let n = n.ok_or_else(|| self.error("a length bound must be a whole number"))?;
                    let slot = if code == key::LENGTH_MIN {
                        &mut r.length_lower
                    } else {
                        &mut r.length_upper
                    };
                    *slot = Some(n);
                }
                // A key this version does not know: its value's shape is unknown too, so the
                // rest of the map is left unread (go-cty does not skip it correctly either).
                _ => break,
            }
        }
        Ok(Value::Unknown(r))
    }
}

#[cfg(test)]
mod tests {
    //! Golden bytes written by hand from go-cty's encoder rules (cty/msgpack/marshal.go,
    //! unknown.go, dynamic.go) and decoder tables (cty/msgpack/type_implied_test.go).
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        let digits: String = text.split_whitespace().collect();
        let byte = |i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap();
        (0..digits.len()).step_by(2).map(byte).collect()
    }

    /// A msgpack fixstr holding `s`, as hex.
    fn fixstr(s: &str) -> String {
        let bytes: Vec<String> = s.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{:02x} {}", 0xa0 + s.len(), bytes.join(" "))
    }

    /// Encodes to exactly `bytes` and decodes back to `value`.
    fn golden(value: Value, ty: &Type, bytes: &str) {
        let bytes = hex(bytes);
        assert_eq!(to_msgpack(&value, ty).unwrap(), bytes, "encoding {value:?}");
        assert_eq!(
            from_msgpack(&bytes, ty).unwrap(),
            value,
            "decoding {bytes:02x?}"
        );
    }

    /// Like `golden`, also checking the decoded refinements.
    fn refined(r: Refinements, ty: &Type, bytes: &str) {
        golden(Value::Unknown(r.clone()), ty, bytes);
        let decoded = from_msgpack(&hex(bytes), ty).unwrap();
        assert!(matches!(decoded, Value::Unknown(d) if d == r), "{bytes}");
    }

    fn decode_fails(bytes: &str, ty: &Type, needle: &str) -> CodecError {
        let err = from_msgpack(&hex(bytes), ty).unwrap_err();
        assert!(err.message.contains(needle), "{err}");
        err
    }

    #[test]
    fn unknowns() {
        golden(Value::unknown(), &Type::String, "d4 00 00");
        golden(Value::unknown(), &Type::Dynamic, "d4 00 00");
        let r = Refinements::default;
        let prefix = Some("ab".to_owned());
        let not_null_ab = Refinements {
            not_null: true,
            string_prefix: prefix,
            ..r()
        };
        refined(not_null_ab, &Type::String, "c7 07 0c 82 01 c2 02 a2 61 62");
        let zero = Some((Number::from(0), true));
        refined(
            Refinements {
                number_lower: zero.clone(),
                ..r()
            },
            &Type::Number,
            "c7 05 0c 81 03 92 00 c3",
        );
        let lengths = Refinements {
            not_null: true,
            length_lower: Some(1),
            length_upper: Some(3),
            ..r()
        };
        refined(
            lengths,
            &Type::list(Type::String),
            "c7 07 0c 83 01 c2 05 01 06 03",
        );
        // Refinements that do not apply to the type are not written (unknown.go).
        let misplaced = Value::Unknown(Refinements {
            number_lower: zero,
            ..r()
        });
        assert_eq!(
            to_msgpack(&misplaced, &Type::String).unwrap(),
            hex("d4 00 00")
        );
        // Payloads of at most one byte are unrefined whatever the extension type; unknown keys
        // end the map; dynamic unknowns drop refinements.
        let not_null = Refinements {
            not_null: true,
            ..r()
        };
        for (bytes, ty, expected) in [
            ("c7 00 05", Type::Bool, r()),
            ("d4 07 01", Type::Bool, r()),
            ("c7 08 0c 82 01 c2 09 92 a1 78 c0", Type::Bool, not_null),
            ("c7 03 0c 81 01 c2", Type::Dynamic, r()),
        ] {
            let decoded = from_msgpack(&hex(bytes), &ty).unwrap();
            assert!(
                matches!(decoded, Value::Unknown(d) if d == expected),
                "{bytes}"
            );
        }
        // "Is null: true" collapses to null.
        assert_eq!(
            from_msgpack(&hex("c7 03 0c 81 01 c3"), &Type::String).unwrap(),
            Value::Null
        );
        decode_fails("d5 00 00 00", &Type::String, "extension type 0");
        decode_fails("c7 03 0c 81 02 a0", &Type::Bool, "does not apply");
    }

    #[test]
    fn numbers() {
        let float = |f| Number::from_f64(f).unwrap();
        for (n, bytes) in [
            (0.into(), "00".to_owned()),
            ((-1).into(), "ff".into()),
            (127.into(), "7f".into()),
            (128.into(), "cc 80".into()),
            ((-40).into(), "d0 d8".into()),
            ((1u64 << 32).into(), "cf 00 00 00 01 00 00 00 00".into()),
            ((-(1i64 << 40)).into(), "d3 ff ff ff 00 00 00 00 00".into()),
            (float(1.5), "cb 3f f8 00 00 00 00 00 00".into()),
            (float(0.1), "cb 3f b9 99 99 99 99 99 9a".into()),
            // Integers beyond int64 (u64::MAX, 2^70) and decimals that no float64 prints as
            // travel as strings: marshal.go writes ints only when they fit int64.
            (u64::MAX.into(), fixstr("18446744073709551615")),
            (
                "1180591620717411303424".parse().unwrap(),
                fixstr("1180591620717411303424"),
            ),
            (
                "0.10000000000000001".parse().unwrap(),
                fixstr("0.10000000000000001"),
            ),
        ] {
            golden(Value::Number(n), &Type::Number, &bytes);
        }
        for (bytes, n) in [
            ("cf ff ff ff ff ff ff ff ff", u64::MAX.into()),
            ("cd 00 04", 4.into()),
            ("ce 00 04 02 01", 0x0004_0201.into()),
            ("d1 ff 00", (-256).into()),
            ("d2 ff ff ff fe", (-2).into()),
            ("ca 3f c0 00 00", float(1.5)),
            ("a4 31 65 2d 32", "0.01".parse().unwrap()),
        ] {
            assert_eq!(
                from_msgpack(&hex(bytes), &Type::Number).unwrap(),
                Value::Number(n)
            );
        }
        decode_fails("cb 7f f0 00 00 00 00 00 00", &Type::Number, "not finite");
        decode_fails("a3 61 62 63", &Type::Number, "not a decimal");
    }

    #[test]
    fn strings_collections_and_objects() {
        let s = Value::string;
        golden(s("x"), &Type::String, "a1 78");
        golden(Value::Null, &Type::String, "c0");
        golden(Value::bool(true), &Type::Bool, "c3");
        golden(
            Value::string("y".repeat(40)),
            &Type::String,
            &format!("d9 28 {}", "79".repeat(40)),
        );
        let object_ty = Type::object([("a", Type::String), ("b", Type::String)]);
        golden(
            Value::object([("a", s("x")), ("b", Value::Null)]),
            &object_ty,
            "82 a1 61 a1 78 a1 62 c0",
        );
        // An omitted attribute is written as null; a missing one decodes as null.
        let partial = Value::object([("a", s("x"))]);
        assert_eq!(
            to_msgpack(&partial, &object_ty).unwrap(),
            hex("82 a1 61 a1 78 a1 62 c0")
        );
        let decoded = from_msgpack(&hex("81 a1 61 a1 78"), &object_ty).unwrap();
        assert_eq!(decoded.attr("b"), Some(&Value::Null));
        golden(
            Value::List(vec![s("a"), s("b")]),
            &Type::list(Type::String),
            "92 a1 61 a1 62",
        );
        golden(
            Value::Set(vec![s("b"), s("a")]),
            &Type::set(Type::String),
            "92 a1 62 a1 61",
        );
        let deduped = from_msgpack(&hex("93 01 02 01"), &Type::set(Type::Number)).unwrap();
        assert_eq!(
            deduped,
            Value::Set(vec![Value::number(1), Value::number(2)])
        );
        let map = Value::Map([("k".to_owned(), Value::bool(true))].into());
        golden(map, &Type::map(Type::Bool), "81 a1 6b c3");
        let tuple = Value::Tuple(vec![Value::bool(true), Value::number(5)]);
        golden(
            tuple,
            &Type::Tuple(vec![Type::Bool, Type::Number]),
            "92 c3 05",
        );
        let nulls = Value::List(vec![Value::Null; 16]);
        golden(
            nulls,
            &Type::list(Type::Bool),
            &format!("dc 00 10 {}", "c0".repeat(16)),
        );
    }

    #[test]
    fn dynamic_values() {
        let string_type = "c4 08 22 73 74 72 69 6e 67 22"; // bin8 of `"string"`
        let wrapped = Value::dynamic(Type::String, Value::string("x"));
        golden(
            wrapped.clone(),
            &Type::Dynamic,
            &format!("92 {string_type} a1 78"),
        );
        // The type JSON may also arrive as a msgpack string.
        let as_str = format!("92 {} a1 78", fixstr("\"string\""));
        assert_eq!(
            from_msgpack(&hex(&as_str), &Type::Dynamic).unwrap(),
            wrapped
        );
        golden(Value::Null, &Type::Dynamic, "c0");
        let typed_null = Value::dynamic(Type::String, Value::Null);
        golden(typed_null, &Type::Dynamic, &format!("92 {string_type} c0"));
        let err = to_msgpack(&Value::string("x"), &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("Value::Dynamic"), "{err}");
        decode_fails("91 c0", &Type::Dynamic, "2-element");
    }

    #[test]
    fn errors_name_the_path() {
        let ty = Type::object([
            ("name", Type::String),
            ("subnets", Type::list(Type::String)),
            (
                "attachments",
                Type::map(Type::object([("id", Type::Number)])),
            ),
        ]);
        let err = decode_fails(
            "81 a4 6e 61 6d 65 05",
            &ty,
            "expected a string, found an integer",
        );
        assert_eq!(err.path, Path::root().attr("name"));
        let err = decode_fails(
            "81 a7 73 75 62 6e 65 74 73 92 a1 61 c3",
            &ty,
            "found a bool",
        );
        assert_eq!(err.path.to_string(), "subnets[1]");
        let attachments = "81 ab 61 74 74 61 63 68 6d 65 6e 74 73 81 a1 73 81 a2 69 64 c2";
        let err = decode_fails(attachments, &ty, "expected a number");
        assert_eq!(err.path.to_string(), r#"attachments["s"].id"#);
        let err = decode_fails("81 a3 66 6f 6f c0", &ty, "unsupported attribute");
        assert_eq!(err.path, Path::root().attr("foo"));
        assert!(
            decode_fails("c0 c0", &ty, "1 unexpected bytes")
                .path
                .is_root()
        );
        decode_fails("a5 61", &Type::String, "ends in the middle");
        decode_fails("", &Type::String, "ends where a value");
        decode_fails("92 c3", &Type::Tuple(vec![Type::Bool]), "1 elements");
        let deep_ty = (0..=MAX_DEPTH).fold(Type::Bool, |t, _| Type::list(t));
        decode_fails(
            &format!("{}c0", "91".repeat(MAX_DEPTH + 1)),
            &deep_ty,
            "nested too deeply",
        );

        let err = to_msgpack(&Value::string("x"), &Type::Number).unwrap_err();
        assert_eq!(err.message, "expected number, but the value is a string");
        let extra = Value::object([("nmae", Value::string("x"))]);
        assert_eq!(
            to_msgpack(&extra, &ty).unwrap_err().path,
            Path::root().attr("nmae")
        );
        let bad_element = Value::object([("subnets", Value::List(vec![Value::bool(true)]))]);
        assert_eq!(
            to_msgpack(&bad_element, &ty).unwrap_err().path.to_string(),
            "subnets[0]"
        );
    }
}
