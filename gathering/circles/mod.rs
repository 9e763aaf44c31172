//! Circles: groups of agents and people that discuss and work together. `Circles` is the
//! service the API holds: circles and their members here (audited, published as `circle.*`
//! events scoped to the circle, which its members see), who may do what in `access.rs`,
//! discussions in `discussion/`, tasks in `tasks/`. SQL is in `store/`.
//!
//! Membership is access control everywhere: the circle's topic on the WebSocket, its events
//! (`events::Viewer` carries the viewer's circles, loaded by [`Circles::viewer`]), its
//! discussions and tasks, and its memories and knowledge (the `memory.circle_access` view is the
//! union of the member tables).

pub mod access;
pub mod discussion;
pub mod model;
pub mod settings;
pub mod store;
pub mod tasks;

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Pool};
use serde_json::json;
use uuid::Uuid;

pub use access::{Need, Opened};
pub use model::{
    AgentMember, AgentMembership, AgentRole, Circle, CircleDetail, CircleName, CirclePatch,
    CircleSettings, Handle, NewCircle, PersonMember, PersonMembership, PersonRole,
};
pub use settings::CirclesSettings;

use crate::agents::Agents;
use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::{Identity, Role};
use crate::events::bus::Bus;
use crate::events::{EventType, Scope, Viewer};
use crate::models::LlmService;

/// The circles service: cheap to clone.
#[derive(Clone)]
pub struct Circles {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    bus: Bus,
    agents: Agents,
    llm: LlmService,
    memories: crate::memory::Memories,
    settings: CirclesSettings,
    /// Claims and runs this instance's discussions (`discussion/engine.rs`).
    engine: discussion::Engine,
}

impl std::fmt::Debug for Circles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Circles")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// The services circles use.
pub struct Services {
    pub pool: Pool,
    pub bus: Bus,
    /// Discussion turns and task work are agent turns.
    pub agents: Agents,
    /// The selector's model calls.
    pub llm: LlmService,
    /// Summaries saved as circle memories.
    pub memories: crate::memory::Memories,
}

/// A page of circles.
#[derive(Debug, Clone, Copy)]
pub struct ListCircles {
    pub archived: bool,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// The scope of a circle's events: the circle only, so its members see them.
pub fn scope(circle: &Circle) -> Scope {
    Scope {
        circle_id: Some(circle.id),
        ..Scope::default()
    }
}

/// Records `event_type` about `circle` (audit row and event in the caller's transaction); the
/// event's data always names the circle (`circle`, `circle_id`).
pub async fn changed(
    tx: &impl GenericClient,
    who: &Identity,
    event_type: EventType,
    circle: &Circle,
    mut data: serde_json::Value,
) -> Result<(), DomainError> {
    data["circle"] = json!(circle.name);
    data["circle_id"] = json!(circle.id);
    crate::audit::record_change(tx, who, event_type, scope(circle), data).await?;
    Ok(())
}

impl Circles {
    pub fn new(services: Services, settings: CirclesSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool: services.pool,
                bus: services.bus,
                agents: services.agents,
                llm: services.llm,
                memories: services.memories,
                settings,
                engine: discussion::Engine::new(),
            }),
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub fn bus(&self) -> &Bus {
        &self.inner.bus
    }

    pub fn agents(&self) -> &Agents {
        &self.inner.agents
    }

    pub fn llm(&self) -> &LlmService {
        &self.inner.llm
    }

    pub fn memories(&self) -> &crate::memory::Memories {
        &self.inner.memories
    }

    pub fn settings(&self) -> &CirclesSettings {
        &self.inner.settings
    }

    /// The discussion engine of this instance (its loop is [`Circles::run_engine`]).
    pub fn engine(&self) -> &discussion::Engine {
        &self.inner.engine
    }

    /// Who is looking at events, with the circles they belong to (an admin: every circle).
    pub async fn viewer(&self, user_id: Uuid, role: Role) -> Result<Viewer, DomainError> {
        let client = self.inner.pool.get().await?;
        let circles = store::members::memberships(&client, user_id, role == Role::Admin).await?;
        Ok(Viewer {
            user_id,
            role,
            circles,
        })
    }

    /// Opens the circle `name` for `who` (see `access.rs`).
    pub async fn open(
        &self,
        who: &Identity,
        name: &str,
        need: Need,
    ) -> Result<Opened, DomainError> {
        let client = self.inner.pool.get().await?;
        access::open(&client, who, name, need, false).await
    }

    /// Creates a circle; its creator is its first owner.
    pub async fn create(&self, who: &Identity, new: NewCircle) -> Result<Circle, DomainError> {
        let user = who.acting_user()?;
        let name = CircleName::parse(&new.name)?;
        let purpose = model::check_purpose(&new.purpose)?;
        let settings = new.settings.unwrap_or_default();
        settings.check()?;
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let display = store::members::user_name(&tx, user)
            .await?
            .unwrap_or_default();
        let id = Uuid::now_v7();
        let row = store::circles::NewRow {
            id,
            name: name.as_str(),
            purpose: &purpose,
            owner_id: user,
            settings: &settings,
        };
        store::circles::insert(&tx, &row).await.map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::Conflict(format!("a circle named {} exists", name.as_str()))
            } else {
                e.into()
            }
        })?;
        let handle = Handle::suggest(&display);
        store::members::put_person(&tx, id, user, PersonRole::Owner, handle.as_str()).await?;
        let circle = store::circles::by_id(&tx, id)
            .await?
            .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("circle {id} vanished")))?;
        changed(
            &tx,
            who,
            EventType::CircleCreated,
            &circle,
            json!({"purpose": circle.purpose}),
        )
        .await?;
        tx.commit().await?;
        Ok(circle)
    }

    /// The circles `who` belongs to (an admin: all), by id.
    pub async fn list(&self, who: &Identity, q: ListCircles) -> Result<Vec<Circle>, DomainError> {
        let member = if who.is_admin() {
            None
        } else {
            Some(who.acting_user()?)
        };
        let client = self.inner.pool.get().await?;
        let query = store::circles::ListQuery {
            member,
            archived: q.archived,
            after: q.after,
            limit: q.limit,
        };
        Ok(store::circles::list(&client, &query).await?)
    }

    /// A circle with its members.
    pub async fn get(&self, who: &Identity, name: &str) -> Result<CircleDetail, DomainError> {
        let client = self.inner.pool.get().await?;
        let opened = access::open(&client, who, name, Need::Read, false).await?;
        self.detail(&client, opened).await
    }

    async fn detail(
        &self,
        client: &impl GenericClient,
        opened: Opened,
    ) -> Result<CircleDetail, DomainError> {
        let agents = store::members::agents(client, opened.circle.id).await?;
        let people = store::members::people(client, opened.circle.id).await?;
        Ok(CircleDetail {
            circle: opened.circle,
            agents,
            people,
            my_role: opened.role,
        })
    }

    /// Changes the purpose or settings (owners, admins).
    pub async fn update(
        &self,
        who: &Identity,
        name: &str,
        patch: CirclePatch,
    ) -> Result<Circle, DomainError> {
        let purpose = patch
            .purpose
            .as_deref()
            .map(model::check_purpose)
            .transpose()?;
        if let Some(settings) = &patch.settings {
            settings.check()?;
        }
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let opened = access::open(&tx, who, name, Need::Manage, true).await?;
        opened.active()?;
        let current = opened.circle;
        let purpose = purpose.unwrap_or_else(|| current.purpose.clone());
        let settings = patch.settings.unwrap_or_else(|| current.settings.clone());
        store::circles::update(&tx, current.id, &purpose, &settings).await?;
        let updated = store::circles::by_id(&tx, current.id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("circle {name}")))?;
        changed(
            &tx,
            who,
            EventType::CircleUpdated,
            &updated,
            json!({"purpose": updated.purpose, "settings": updated.settings}),
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Archives the circle: its history stays readable, nothing new starts in it.
    pub async fn archive(&self, who: &Identity, name: &str) -> Result<(), DomainError> {
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let opened = access::open(&tx, who, name, Need::Manage, true).await?;
        if opened.circle.archived_at.is_some() {
            return Ok(());
        }
        store::circles::archive(&tx, opened.circle.id).await?;
        changed(
            &tx,
            who,
            EventType::CircleArchived,
            &opened.circle,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an agent to the circle or changes its membership. Only an agent the caller owns
    /// (or any, for an admin) joins: its turns run with its owner's model budget and memories.
    pub async fn put_agent(
        &self,
        who: &Identity,
        name: &str,
        agent: &str,
        membership: AgentMembership,
    ) -> Result<AgentMember, DomainError> {
        let competencies = model::check_labels("competencies", &membership.competencies)?;
        let reviews = model::check_labels("reviews", &membership.reviews)?;
        let agent = self.inner.agents.find(agent).await?;
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let opened = access::open(&tx, who, name, Need::Manage, true).await?;
        opened.active()?;
        who.may_change(Some(agent.owner_id), "agent")?;
        let circle = opened.circle;
        if store::members::name_taken(&tx, circle.id, &agent.name, None, Some(agent.id)).await? {
            return Err(DomainError::Conflict(format!(
                "a person in circle {} is addressed as {}",
                circle.name, agent.name
            )));
        }
        let added = store::members::put_agent(
            &tx,
            circle.id,
            agent.id,
            membership.role,
            &competencies,
            &reviews,
        )
        .await?;
        let member = store::members::agents(&tx, circle.id)
            .await?
            .into_iter()
            .find(|m| m.agent_id == agent.id)
            .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("member vanished")))?;
        let event = if added {
            EventType::CircleMemberAdded
        } else {
            EventType::CircleMemberUpdated
        };
        changed(
            &tx,
            who,
            event,
            &circle,
            json!({"agent_id": agent.id, "name": agent.name, "role": member.role,
                   "competencies": member.competencies}),
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Removes an agent from the circle.
    pub async fn remove_agent(
        &self,
        who: &Identity,
        name: &str,
        agent: &str,
    ) -> Result<(), DomainError> {
        let agent = self.inner.agents.find(agent).await?;
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let opened = access::open(&tx, who, name, Need::Manage, true).await?;
        if !store::members::remove_agent(&tx, opened.circle.id, agent.id).await? {
            return Err(DomainError::NotFound(format!(
                "agent {} in circle {name}",
                agent.name
            )));
        }
        changed(
            &tx,
            who,
            EventType::CircleMemberRemoved,
            &opened.circle,
            json!({"agent_id": agent.id, "name": agent.name}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a person to the circle or changes their role or handle.
    pub async fn put_person(
        &self,
        who: &Identity,
        name: &str,
        user: Uuid,
        membership: PersonMembership,
    ) -> Result<PersonMember, DomainError> {
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let opened = access::open(&tx, who, name, Need::Manage, true).await?;
        opened.active()?;
        let circle = opened.circle;
        let display = store::members::user_name(&tx, user)
            .await?
            .ok_or_else(|| DomainError::invalid("user_id", format!("no user {user}")))?;
        let current = store::members::people(&tx, circle.id)
            .await?
            .into_iter()
            .find(|p| p.user_id == user);
        let handle = match (&membership.handle, &current) {
            (Some(raw), _) => Handle::parse(raw)?,
            (None, Some(p)) => Handle::parse(&p.handle)?,
            (None, None) => Handle::suggest(&display),
        };
        if store::members::name_taken(&tx, circle.id, handle.as_str(), Some(user), None).await? {
            return Err(DomainError::Conflict(format!(
                "@{} is taken in circle {}: choose another handle",
                handle.as_str(),
                circle.name
            )));
        }
        if current
            .as_ref()
            .is_some_and(|p| p.role == PersonRole::Owner)
            && membership.role != PersonRole::Owner
            && store::members::owners(&tx, circle.id).await? <= 1
        {
            return Err(DomainError::Conflict(
                "a circle keeps at least one owner".into(),
            ));
        }
        let added =
            store::members::put_person(&tx, circle.id, user, membership.role, handle.as_str())
                .await?;
        let member = store::members::people(&tx, circle.id)
            .await?
            .into_iter()
            .find(|p| p.user_id == user)
            .ok_or_else(|| DomainError::Unexpected(anyhow::anyhow!("member vanished")))?;
        let event = if added {
            EventType::CircleMemberAdded
        } else {
            EventType::CircleMemberUpdated
        };
        changed(
            &tx,
            who,
            event,
            &circle,
            json!({"user_id": user, "handle": member.handle, "role": member.role}),
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Removes a person (owners remove anyone; anyone may leave). The last owner cannot.
    pub async fn remove_person(
        &self,
        who: &Identity,
        name: &str,
        user: Uuid,
    ) -> Result<(), DomainError> {
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let need = if who.is(user) {
            Need::Read
        } else {
            Need::Manage
        };
        let opened = access::open(&tx, who, name, need, true).await?;
        let circle = opened.circle;
        let role = store::members::person_role(&tx, circle.id, user).await?;
        if role == Some(PersonRole::Owner) && store::members::owners(&tx, circle.id).await? <= 1 {
            return Err(DomainError::Conflict(
                "a circle keeps at least one owner".into(),
            ));
        }
        if !store::members::remove_person(&tx, circle.id, user).await? {
            return Err(DomainError::NotFound(format!(
                "person {user} in circle {name}"
            )));
        }
        changed(
            &tx,
            who,
            EventType::CircleMemberRemoved,
            &circle,
            json!({"user_id": user}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
