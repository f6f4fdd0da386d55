//! Where the plans run: DataFusion in this process, or a Ballista cluster (feature
//! `ballista`).

use std::sync::Arc;

use datafusion::execution::SessionStateBuilder;
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::Error;

/// The engine a job's plans run on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// DataFusion in this process, on `partitions` target partitions.
    DataFusion {
        /// DataFusion's target partitions (the number of cores, say).
        partitions: usize,
    },
    /// A Ballista scheduler and executor started in this process, on loopback only,
    /// with `partitions` target partitions and as many executor slots.
    #[cfg(feature = "ballista")]
    BallistaStandalone {
        /// Target partitions, and the executor's task slots.
        partitions: usize,
    },
    /// A running Ballista scheduler (`df://HOST:PORT`), whose executors must have this
    /// crate's functions registered (the `executor` example starts one).
    #[cfg(feature = "ballista")]
    Ballista {
        /// The scheduler's address, `df://HOST:PORT`.
        scheduler: String,
        /// Target partitions (the number of shuffle partitions).
        partitions: usize,
    },
}

/// Marks a session whose plans run on a Ballista cluster: its jobs do not share the
/// session's in-memory tables, so the fit is made on the profiles in the calling
/// process (the engine would run the whole profile plan again for each of its plans).
#[derive(Debug)]
#[cfg_attr(not(feature = "ballista"), allow(dead_code))]
pub(crate) struct OnCluster;

/// Whether `ctx` runs its plans on a Ballista cluster.
pub(crate) fn on_cluster(ctx: &SessionContext) -> bool {
    ctx.state().config().get_extension::<OnCluster>().is_some()
}

/// A session state with DataFusion's default features and the crate's functions: what
/// an executor of a Ballista cluster needs to run this crate's plans.
pub fn session_state(config: SessionConfig) -> SessionState {
    let functions = crate::functions().into_iter().map(Arc::new);
    let mut builder = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features();
    builder
        .scalar_functions()
        .get_or_insert_with(Vec::new)
        .extend(functions);
    builder.build()
}

/// A session on `engine`, with the crate's functions registered.
///
/// # Errors
/// [`Error::Engine`] when the Ballista cluster cannot be started or reached.
///
/// # Example
/// ```
/// use customer_tiering_datafusion::{Engine, session};
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let ctx = session(&Engine::DataFusion { partitions: 2 }).await?;
/// assert_eq!(ctx.state().config().target_partitions(), 2);
/// # Ok::<(), customer_tiering_datafusion::Error>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn session(engine: &Engine) -> Result<SessionContext, Error> {
    let ctx = match engine {
        Engine::DataFusion { partitions } => {
            let config = SessionConfig::new().with_target_partitions(*partitions);
            SessionContext::new_with_state(session_state(config))
        }
        #[cfg(feature = "ballista")]
        Engine::BallistaStandalone { partitions } => {
            use ballista::prelude::{SessionConfigExt, SessionContextExt};
            let config = SessionConfig::new_with_ballista()
                .with_target_partitions(*partitions)
                .set_usize("ballista.standalone.parallelism", (*partitions).max(1))
                .with_extension(Arc::new(OnCluster));
            SessionContext::standalone_with_state(session_state(config)).await?
        }
        #[cfg(feature = "ballista")]
        Engine::Ballista {
            scheduler,
            partitions,
        } => {
            use ballista::prelude::{SessionConfigExt, SessionContextExt};
            let config = SessionConfig::new_with_ballista()
                .with_target_partitions(*partitions)
                .with_extension(Arc::new(OnCluster));
            SessionContext::remote_with_state(scheduler, session_state(config)).await?
        }
    };
    // A Ballista session's state keeps DataFusion's functions only: the crate's are
    // registered again on the client side (its executors have them from the state).
    crate::register_functions(&ctx);
    Ok(ctx)
}
