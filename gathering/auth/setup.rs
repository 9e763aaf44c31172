//! First-run setup: on a database without an admin, `serve` arms a one-time token (256 random
//! bits, base64url) and prints a link carrying it (`/setup#token=...`: in the URL fragment, so
//! it never reaches a request log). Whoever presents it creates the first admin and is signed
//! in. Only the token's SHA-256 is kept, in memory: a restart arms a new one, and each instance
//! arms its own. The token is spent once an admin exists, however that admin was made.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use deadpool_postgres::Pool;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::model::{TokenPair, User};
use super::{Auth, AuthError, NewUser};
use crate::audit::RequestMeta;

/// Why the first admin could not be created from the setup link.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No token is armed: this instance never armed one, it was used, or an admin exists.
    #[error("first-run setup is closed: an admin exists (sign in, or ask an admin for an account)")]
    Closed,
    #[error("the setup token is wrong; use the link `gathering serve` printed")]
    WrongToken,
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// What the setup link's page sends: the token and the first admin.
#[derive(Debug)]
pub struct Claim {
    pub token: String,
    pub admin: NewUser,
}

/// The armed setup token's hash, if any; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// A std mutex: held to read or replace 32 bytes, never across an `.await`; nothing would
    /// be gained from tokio's.
    pending: Arc<Mutex<Option<[u8; 32]>>>,
}

/// A new setup token: 32 random bytes, base64url without padding.
pub fn new_token() -> SecretString {
    let bytes: [u8; 32] = rand::random();
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Setup {
    /// Makes `token` the one that creates the first admin (only its hash is kept).
    pub fn arm(&self, token: &SecretString) {
        *self.lock() = Some(digest(token.expose_secret()));
    }

    /// Forgets the token: setup is over.
    pub fn close(&self) {
        *self.lock() = None;
    }

    fn is_armed(&self) -> bool {
        self.lock().is_some()
    }

    /// Whether `token` is the armed one (compared in constant time).
    fn check(&self, token: &str) -> Result<(), SetupError> {
        let Some(expected) = *self.lock() else {
            return Err(SetupError::Closed);
        };
        if crate::core::secret::same(&expected, &digest(token)) {
            Ok(())
        } else {
            Err(SetupError::WrongToken)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<[u8; 32]>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the setup link works now: a token is armed and no admin exists. An admin made
    /// meanwhile (the command line, another instance's link) closes it.
    pub async fn is_open(&self, auth: &Auth, pool: &Pool) -> Result<bool, AuthError> {
        if !self.is_armed() {
            return Ok(false);
        }
        if auth.admin_exists(pool).await? {
            self.close();
            return Ok(false);
        }
        Ok(true)
    }

    /// Creates the first admin with the armed token, spends the token and signs the admin in
    /// (a new session, audited as `auth.login`). Two requests with the right token at once
    /// create one admin: the other is refused as `Closed`.
    pub async fn complete(
        &self,
        auth: &Auth,
        pool: &Pool,
        claim: Claim,
        meta: &RequestMeta,
    ) -> Result<(User, TokenPair), SetupError> {
        self.check(&claim.token)?;
        let Some(user) = auth.create_first_admin(pool, claim.admin, meta).await? else {
            self.close();
            return Err(SetupError::Closed);
        };
        self.close();
        let keys = auth.keys()?;
        let pair = auth.start_session(pool, keys, &user, meta).await?;
        Ok((user, pair))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_armed_token_passes_and_closing_spends_it() {
        let setup = Setup::default();
        assert!(matches!(setup.check("x"), Err(SetupError::Closed)));
        let token = new_token();
        assert_eq!(token.expose_secret().len(), 43, "32 bytes in base64url");
        setup.arm(&token);
        assert!(setup.check(token.expose_secret()).is_ok());
        assert!(matches!(
            setup.check(new_token().expose_secret()),
            Err(SetupError::WrongToken)
        ));
        setup.close();
        assert!(matches!(
            setup.check(token.expose_secret()),
            Err(SetupError::Closed)
        ));
    }
}
