//! Where the plans run: DataFusion in this process, or a Ballista cluster (feature
//! `ballista`).

use std::path::{Path, PathBuf};
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
        /// A directory that this process and every executor see by the same path (a
        /// shared disk or mount), where the executors write the profiles as Parquet for
        /// the fit's and the classification's plans to read. Without it, the profiles
        /// are collected and the fit and the labels are made in this process.
        work_dir: Option<PathBuf>,
    },
}

/// Marks a session whose plans run on a Ballista cluster: its jobs do not see the
/// session's in-memory tables, so the profiles are kept as Parquet files in a
/// directory every node sees ([`ProfilesDir`]), or else the fit and the labels are made
/// on the collected profiles in the calling process.
#[derive(Debug)]
#[cfg_attr(not(feature = "ballista"), allow(dead_code))]
pub(crate) struct OnCluster;

/// The directory where a cluster's executors keep the profiles as Parquet files; one
/// this session made itself is removed with the session.
#[derive(Debug)]
#[cfg_attr(not(feature = "ballista"), allow(dead_code))]
pub(crate) struct ProfilesDir {
    path: PathBuf,
    owned: bool,
    /// The directories of profiles written into a directory given by the user: removed
    /// with the session, the directory itself left.
    written: std::sync::Mutex<Vec<PathBuf>>,
}

impl ProfilesDir {
    /// A new directory under the system's temporary directory, removed with the session.
    #[cfg_attr(not(feature = "ballista"), allow(dead_code))]
    fn temporary() -> Result<Self, Error> {
        let path = std::env::temp_dir().join(unique("customer-tiering"));
        std::fs::create_dir_all(&path).map_err(|source| {
            Error::Tiering(customer_tiering::Error::Io {
                path: path.clone(),
                source,
            })
        })?;
        Ok(ProfilesDir {
            path,
            owned: true,
            written: Default::default(),
        })
    }
}

impl Drop for ProfilesDir {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.path);
        } else {
            let written = self.written.get_mut().unwrap_or_else(|e| e.into_inner());
            for dir in written.drain(..) {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// `prefix-PID-N`, a name no other directory this process or another one makes has.
fn unique(prefix: &str) -> String {
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// Whether the plans of `ctx` see the profiles [`profiles`](crate::profiles) keeps: on
/// DataFusion, or on a cluster with a directory for them.
pub(crate) fn sees_profiles(ctx: &SessionContext) -> bool {
    let config = ctx.state().config().clone();
    config.get_extension::<OnCluster>().is_none() || config.get_extension::<ProfilesDir>().is_some()
}

/// A new directory for the executors to write the profiles into, on a cluster that
/// has a place for them; removed with the session.
pub(crate) fn new_profiles_dir(ctx: &SessionContext) -> Option<PathBuf> {
    let dir = ctx.state().config().get_extension::<ProfilesDir>()?;
    let path = dir.path.join(unique("profiles"));
    let mut written = dir.written.lock().unwrap_or_else(|e| e.into_inner());
    written.push(path.clone());
    Some(path)
}

/// A directory the session keeps the profiles in, given by the user.
#[cfg_attr(not(feature = "ballista"), allow(dead_code))]
fn given(path: &Path) -> ProfilesDir {
    ProfilesDir {
        path: path.to_path_buf(),
        owned: false,
        written: Default::default(),
    }
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
    builder
        .aggregate_functions()
        .get_or_insert_with(Vec::new)
        .extend(crate::aggregates().into_iter().map(Arc::new));
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
                .with_extension(Arc::new(OnCluster))
                .with_extension(Arc::new(ProfilesDir::temporary()?));
            SessionContext::standalone_with_state(session_state(config)).await?
        }
        #[cfg(feature = "ballista")]
        Engine::Ballista {
            scheduler,
            partitions,
            work_dir,
        } => {
            use ballista::prelude::{SessionConfigExt, SessionContextExt};
            let mut config = SessionConfig::new_with_ballista()
                .with_target_partitions(*partitions)
                .with_extension(Arc::new(OnCluster));
            if let Some(dir) = work_dir {
                config = config.with_extension(Arc::new(given(dir)));
            }
            SessionContext::remote_with_state(scheduler, session_state(config)).await?
        }
    };
    // A Ballista session's state keeps DataFusion's functions only: the crate's are
    // registered again on the client side (its executors have them from the state).
    crate::register_functions(&ctx);
    Ok(ctx)
}
