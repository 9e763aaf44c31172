//! One-off commands' composition (`gathering migrate`, `gathering users create`, `gathering
//! personas import`, and the integration tests' setup): the database (the embedded cluster
//! started if needed), migrated and with auth prepared, but no listener, so they run beside a
//! live server. Stops an embedded cluster it started. What it changes is done as the server
//! itself ([`Identity::system`]): audited with no actor.

use deadpool_postgres::Pool;

use crate::app::{self, DatabaseSource, StartError};
use crate::auth::model::{Email, Password, Role, User};
use crate::auth::{Auth, NewUser};
use crate::config::Config;
use crate::core::identity::Identity;
use crate::db::migrate;
use crate::db::{self, Target};

/// An open, migrated database.
pub struct Maintenance {
    pool: Pool,
    database: DatabaseSource,
    auth: Auth,
    pub migrations: migrate::Report,
}

impl Maintenance {
    pub async fn open(config: &Config) -> Result<Self, StartError> {
        let (url, database) = app::open_database(config).await?;
        let opened = async {
            let target = Target::parse(&url)?;
            let options = db::Settings {
                max_connections: 2,
                connect_timeout: config.db.connect_timeout,
            };
            let pool = db::connect(&target, options).await?;
            let migrations = app::apply_migrations(&pool, migrate::embedded()).await?;
            let auth = app::auth_service(config);
            app::prepare_auth(&auth, &pool, config).await?;
            Ok::<_, StartError>((pool, migrations, auth))
        }
        .await;
        match opened {
            Ok((pool, migrations, auth)) => Ok(Self {
                pool,
                database,
                auth,
                migrations,
            }),
            Err(e) => {
                app::stop_embedded(&database).await;
                Err(e)
            }
        }
    }

    /// Creates a user, audited with no actor (the command line).
    pub async fn create_user(
        &self,
        email: Email,
        display_name: String,
        password: Password,
        role: Role,
    ) -> Result<User, crate::auth::AuthError> {
        let new = NewUser {
            email,
            display_name,
            password,
            role,
        };
        let identity = Identity::system();
        self.auth.create_user(&self.pool, new, &identity).await
    }

    /// Imports the persona files of `dir` (audited with no actor: the command line).
    pub async fn import_personas(
        &self,
        dir: &std::path::Path,
    ) -> Result<crate::personas::ImportReport, crate::core::error::DomainError> {
        let who = crate::core::identity::Identity::system();
        crate::personas::import_dir(&self.pool, &who, dir).await
    }

    /// Closes the pool and stops an embedded cluster this process started.
    pub async fn close(self) {
        self.pool.close();
        app::stop_embedded(&self.database).await;
    }
}
