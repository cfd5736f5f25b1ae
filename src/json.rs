//! JSON text to typed values: `serde_json::from_str`, except that structs are read from JSON
//! objects only.
//!
//! Why: serde's derived `Deserialize` for a struct can also read it from an array
//! (`["veeam-eca", "Veeam", …]`), and serde_json compiles that path for every struct it reads.
//! Nobody writes packs, settings or page snapshots as arrays, and that dead path was about
//! 4.5 KB of the gzipped Wasm module (whose size has a budget: README, Speed). [`MapOnly`] asks serde_json for a
//! map wherever a struct is expected, so the array path is never instantiated; everything else
//! (values, error messages with line and column) is serde_json's own.

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Parses `text` as one JSON value of type `T` (trailing non-whitespace is an error).
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(MapOnly(&mut de))?;
    de.end()?;
    Ok(value)
}

/// A deserializer that reads structs with `deserialize_map` and passes itself on to nested
/// values (through options, sequences and map values); every other request goes to `D`.
struct MapOnly<D>(D);

/// Wraps a visitor so the deserializers it is handed are wrapped in [`MapOnly`] too.
struct Wrap<V>(V);

macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for MapOnly<D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(Wrap(visitor))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(Wrap(visitor))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_seq(Wrap(visitor))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_option(Wrap(visitor))
    }

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64
        deserialize_char deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(MapOnly(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Wrap(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(Wrap(map))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(MapOnly(d))
    }
}

/// A JSON object with a few entries, kept in the file's order: `{"callbackUrls": {…}, …}`.
///
/// Used instead of `BTreeMap` for the small maps in a pack: the B-tree's generic code was
/// about 13 KB of the Wasm module, for maps of one to three entries. A key given twice is an
/// error (serde_json's map into a `BTreeMap` would silently keep the last one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairs<T>(pub Vec<(String, T)>);

impl<T> Default for Pairs<T> {
    fn default() -> Self {
        Pairs(Vec::new())
    }
}

impl<T> Pairs<T> {
    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &T)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'a, T> IntoIterator for &'a Pairs<T> {
    type Item = (&'a String, &'a T);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, T)>, fn(&'a (String, T)) -> (&'a String, &'a T)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<T: serde::Serialize> serde::Serialize for Pairs<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Pairs<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairsVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for PairsVisitor<T> {
            type Value = Pairs<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<T>, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
                    }
                    let value = map.next_value()?;
                    out.push((key, value));
                }
                Ok(Pairs(out))
            }
        }

        d.deserialize_map(PairsVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Reason: a test that fails should stop at the failing value.
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        one: Option<Inner>,
        many: Vec<Inner>,
        by_name: std::collections::BTreeMap<String, Inner>,
        #[serde(default)]
        flag: bool,
    }

    #[test]
    fn reads_nested_structs_from_objects() {
        let v: Outer =
            super::from_str(r#"{"one": {"a": "x"}, "many": [{"a": "y"}], "by_name": {"k": {"a": "z"}}}"#).unwrap();
        assert_eq!(v.one, Some(Inner { a: "x".into() }));
        assert_eq!(v.many, vec![Inner { a: "y".into() }]);
        assert_eq!(v.by_name["k"], Inner { a: "z".into() });
        assert!(!v.flag);
        let none: Outer = super::from_str(r#"{"one": null, "many": [], "by_name": {}}"#).unwrap();
        assert_eq!(none.one, None);
    }

    #[test]
    fn refuses_structs_written_as_arrays_at_any_depth() {
        let top = super::from_str::<Inner>(r#"["x"]"#).unwrap_err().to_string();
        assert!(
            top.starts_with("invalid type: sequence, expected struct Inner"),
            "{top}"
        );
        for text in [
            r#"{"one": ["x"], "many": [], "by_name": {}}"#,
            r#"{"one": null, "many": [["y"]], "by_name": {}}"#,
        ] {
            let e = super::from_str::<Outer>(text).unwrap_err().to_string();
            assert!(e.contains("expected struct Inner"), "{e}");
        }
        let e = serde_json::from_str::<Inner>(r#"["x"]"#);
        assert!(
            e.is_ok(),
            "plain serde_json accepts the array form; this module exists to refuse it"
        );
    }

    #[test]
    fn keeps_serde_json_errors_with_line_and_column() {
        let e = super::from_str::<Outer>("{\"one\": {\"a\": \"x\", \"b\": 1},\n \"many\": []}").unwrap_err();
        assert!(e.to_string().starts_with("unknown field `b`, expected `a`"), "{e}");
        assert_eq!(e.line(), 1);
        let e = super::from_str::<Inner>("{\"a\": \"x\"} trailing").unwrap_err();
        assert!(e.to_string().starts_with("trailing characters"), "{e}");
    }

    #[test]
    fn pairs_keep_order_and_refuse_a_repeated_key() {
        let p: super::Pairs<u32> = super::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
        assert_eq!(p.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(p.get("a"), Some(&2));
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"b":1,"a":2}"#);
        let e = super::from_str::<super::Pairs<u32>>("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(e.to_string().starts_with("duplicate key `a`"), "{e}");
        assert_eq!(e.line(), 2);
        let e = super::from_str::<super::Pairs<u32>>("[1]").unwrap_err();
        assert!(
            e.to_string().starts_with("invalid type: sequence, expected an object"),
            "{e}"
        );
    }
}
