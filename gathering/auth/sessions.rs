//! Ending a session by its refresh token (the browser's sign-out, which holds the refresh token
//! in a cookie rather than an access token in memory): its refresh-token family is revoked,
//! which also ends every access token issued with it (see `store::session_state`).

use deadpool_postgres::Pool;
use serde_json::json;

use super::{Auth, AuthError, store, tokens};
use crate::audit::{self, Outcome, RequestMeta};

impl Auth {
    /// Revokes the session of `refresh_token`, audited as `auth.logout`; returns whether a live
    /// session ended. An unknown, expired or already revoked token is not an error: signing out
    /// twice is signing out.
    #[tracing::instrument(skip_all)]
    pub async fn end_session(
        &self,
        pool: &Pool,
        refresh_token: &str,
        meta: &RequestMeta,
    ) -> Result<bool, AuthError> {
        let hash = tokens::hash_token(refresh_token.trim());
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let Some(row) = store::lock_refresh(&tx, &hash).await? else {
            return Ok(false);
        };
        if store::revoke_family(&tx, row.family_id).await? == 0 {
            return Ok(false);
        }
        let entry = audit::Entry {
            actor_id: Some(row.user_id),
            action: "auth.logout",
            outcome: Outcome::Success,
            meta,
            details: json!({"session": row.family_id}),
        };
        audit::store::record(&tx, &entry).await?;
        tx.commit().await?;
        Ok(true)
    }
}
