//! The encodings: base64url for every binary field, and one cursor-based reader and writer
//! for the binary tokens (pairing code, pending pairing, kept keys, response key). Each token
//! is `<prefix><base64url(fields)>`: fixed-length byte fields, byte strings with a one-byte
//! length, and a trailing field that runs to the end (the server's origin).

pub(super) const B64_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5), the encoding of every binary field. Written out
/// here (a few lines) rather than a crate, to keep the Wasm module small.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(B64_ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url without padding; `None` for any other character, a dangling sixth of a
/// byte (length ≡ 1 mod 4) or non-zero trailing bits (so each byte string has one encoding).
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if t.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3 + 2);
    for chunk in t.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64_ALPHABET.iter().position(|a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let keep = chunk.len() - 1;
        if bytes[1 + keep..].iter().any(|b| *b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[1..1 + keep]);
    }
    Some(out)
}

/// `N` bytes from base64url, and nothing else.
pub(super) fn unb64_fixed<const N: usize>(text: &str) -> Option<[u8; N]> {
    let raw = unb64(text)?;
    let mut r = Reader::new(&raw);
    let v = r.fixed::<N>()?;
    r.end().then_some(v)
}

/// Builds a token: fields in order, then [`Writer::finish`] with the token's prefix.
#[derive(Default)]
pub(super) struct Writer(Vec<u8>);

impl Writer {
    /// A fixed-length field (the reader knows its length).
    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }

    /// A byte string of at most 255 bytes, after its length byte.
    pub fn short(mut self, b: &[u8]) -> Self {
        let len = u8::try_from(b.len()).unwrap_or(u8::MAX);
        self.0.push(len);
        self.0.extend_from_slice(&b[..usize::from(len)]);
        self
    }

    /// `prefix` and the fields in base64url.
    pub fn finish(self, prefix: &str) -> String {
        format!("{prefix}{}", b64(&self.0))
    }
}

/// Reads a token's fields in the order they were written; `None` when one is missing.
pub(super) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// Over decoded bytes.
    pub fn new(raw: &'a [u8]) -> Self {
        Reader(raw)
    }

    /// The fields of `token` if it starts with `prefix` and the rest is base64url.
    pub fn decode(token: &str, prefix: &str) -> Option<Vec<u8>> {
        unb64(token.strip_prefix(prefix)?)
    }

    /// A fixed-length field.
    pub fn fixed<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_at_checked(N)?;
        self.0 = rest;
        head.try_into().ok()
    }

    /// A byte string written by [`Writer::short`].
    pub fn short(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first()?;
        let (s, rest) = rest.split_at_checked(usize::from(*len))?;
        self.0 = rest;
        Some(s)
    }

    /// The trailing field: everything left, as UTF-8, if there is something.
    pub fn rest_str(&mut self) -> Option<&'a str> {
        let rest = std::mem::take(&mut self.0);
        (!rest.is_empty()).then_some(())?;
        std::str::from_utf8(rest).ok()
    }

    /// Whether every byte was read.
    pub fn end(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648() {
        for (raw, enc) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"\xfb\xff", "-_8"),
        ] {
            assert_eq!(b64(raw), enc);
            assert_eq!(unb64(enc).unwrap(), raw);
        }
        assert!(unb64("Zh").is_none(), "non-zero trailing bits");
        assert!(unb64("Z").is_none());
        assert!(unb64("Zm9v=").is_none());
        assert!(unb64("Zm+v").is_none());
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unb64(&b64(&all)).unwrap(), all);
    }

    #[test]
    fn fields_round_trip_and_missing_ones_are_none() {
        let t = Writer::default()
            .bytes(&[1, 2])
            .short(b"id")
            .bytes(b"origin")
            .finish("x1.");
        let raw = Reader::decode(&t, "x1.").unwrap();
        let mut r = Reader::new(&raw);
        assert_eq!(r.fixed::<2>(), Some([1, 2]));
        assert_eq!(r.short(), Some(&b"id"[..]));
        assert_eq!(r.rest_str(), Some("origin"));
        assert!(r.end());
        assert!(Reader::decode(&t, "x2.").is_none());
        let mut r = Reader::new(&[3, b'a']);
        assert_eq!(r.short(), None, "a length past the end");
        assert_eq!(Reader::new(&[1]).fixed::<2>(), None);
        assert_eq!(Reader::new(&[]).rest_str(), None, "an empty trailing field");
        assert_eq!(unb64_fixed::<2>(&b64(&[1, 2, 3])), None, "bytes left over");
        assert_eq!(unb64_fixed::<2>(&b64(&[1, 2])), Some([1, 2]));
    }
}
