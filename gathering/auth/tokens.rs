//! Token mechanics: signed JWT access tokens (HS256; claims `sub, role, sid, jti, iat, exp,
//! iss, aud`), and opaque refresh tokens and API keys, of which only a sha256 is stored.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::model::Role;

pub const ISSUER: &str = "gathering";
pub const AUDIENCE: &str = "gathering-api";
/// Refresh tokens start with this, so leaked ones are recognisable.
pub const REFRESH_PREFIX: &str = "grt_";
/// API keys start with this; a bearer token with it is looked up as a key, not verified as a
/// JWT.
pub const API_KEY_PREFIX: &str = "gk_";
/// The shortest signing secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    /// The session: the refresh-token family this access token was issued with.
    pub sid: Uuid,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// The signing and verifying keys of one deployment.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys([REDACTED])")
    }
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs an access token; returns it with its claims.
    pub fn issue(
        &self,
        user_id: Uuid,
        role: Role,
        session: Uuid,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> (String, Claims) {
        let claims = Claims {
            sub: user_id,
            role: role.as_str().to_owned(),
            sid: session,
            jti: Uuid::now_v7(),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an in-memory key cannot fail");
        (token, claims)
    }

    /// Checks signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new refresh token and the hash to store.
pub fn new_refresh_token() -> (String, Vec<u8>) {
    new_opaque_token(REFRESH_PREFIX)
}

/// A new API key and the hash to store.
pub fn new_api_key() -> (String, Vec<u8>) {
    new_opaque_token(API_KEY_PREFIX)
}

/// `prefix` followed by 256 random bits in hex, and its sha256. The tokens are random enough
/// that a fast hash suffices: there is nothing to brute-force.
fn new_opaque_token(prefix: &str) -> (String, Vec<u8>) {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    let token = format!("{prefix}{}", hex::encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

/// The CSRF token of a browser session: `hex(sha256("gathering-csrf:" + refresh token))`. Bound
/// to the refresh token without being stored; knowing it reveals nothing of the refresh token.
pub fn csrf_token(refresh_token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"gathering-csrf:");
    hasher.update(refresh_token.as_bytes());
    hex::encode(hasher.finalize())
}

/// The stored form of an opaque token (refresh token or API key).
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_their_key_and_before_expiry() {
        let keys = Keys::new(&[7; 32]);
        let user = Uuid::now_v7();
        let (token, claims) = keys.issue(
            user,
            Role::Member,
            Uuid::now_v7(),
            Utc::now(),
            chrono::Duration::minutes(5),
        );
        let verified = keys.verify(&token).expect("valid");
        assert_eq!(verified.sub, user);
        assert_eq!(verified.jti, claims.jti);
        assert!(Keys::new(&[8; 32]).verify(&token).is_none(), "another key");
        let (old, _) = keys.issue(
            user,
            Role::Member,
            Uuid::now_v7(),
            Utc::now() - chrono::Duration::hours(1),
            chrono::Duration::minutes(5),
        );
        assert!(keys.verify(&old).is_none(), "expired");
        let mut tampered = token.clone();
        tampered.push('x');
        assert!(keys.verify(&tampered).is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert!(a.starts_with(REFRESH_PREFIX));
        assert_eq!(hash_token(&a), hash_a);
        assert_eq!(hash_a.len(), 32);
    }

    #[test]
    fn the_csrf_token_is_bound_to_its_refresh_token() {
        let (a, _) = new_refresh_token();
        let (b, _) = new_refresh_token();
        let csrf = csrf_token(&a);
        assert_eq!(csrf, csrf_token(&a));
        assert_ne!(csrf, csrf_token(&b));
        assert_eq!(csrf.len(), 64);
        assert_eq!(
            csrf_token("grt_x"),
            hex::encode(Sha256::digest(b"gathering-csrf:grt_x"))
        );
    }
}
