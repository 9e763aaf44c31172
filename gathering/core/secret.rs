//! Constant-time comparison of secrets (tokens, hashes of tokens): the time taken depends on the
//! lengths, never on where the first difference is, so an attacker cannot find a secret byte
//! by byte from response times.

/// Whether `a` and `b` are equal, comparing every byte whatever differs first. Lengths are not
/// secret (compare hashes or fixed-length tokens).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn equal_only_when_every_byte_and_the_length_match() {
        assert!(same(b"abc", b"abc"));
        assert!(same(b"", b""));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
        assert!(!same(b"xbc", b"abc"));
    }
}
