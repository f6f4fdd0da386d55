//! A Ballista scheduler or executor with this crate's functions registered: what a
//! cluster needs to run the crate's plans (a stock `ballista-executor` cannot decode
//! `ct_customer_id` and the other input functions).
//!
//! ```text
//! cargo run --release -p customer-tiering-datafusion --features ballista --example ballista_node -- scheduler --port 50050
//! cargo run --release -p customer-tiering-datafusion --features ballista --example ballista_node -- executor --scheduler-host HOST --scheduler-port 50050 --port 50051
//! ```
//!
//! Then `distributed --scheduler df://HOST:50050 …` runs the job on the cluster.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use clap::{Parser, Subcommand};
use customer_tiering_datafusion::datafusion::prelude::SessionConfig;
use customer_tiering_datafusion::session_state;

/// A node of a Ballista cluster that runs customer-tiering plans.
#[derive(Parser, Debug)]
struct Args {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand, Debug)]
enum Role {
    /// The scheduler: plans the jobs clients send and hands tasks to executors.
    Scheduler {
        /// The address to listen on.
        #[arg(long, default_value = "0.0.0.0")]
        bind_host: String,
        /// The port to listen on.
        #[arg(long, default_value_t = 50050)]
        port: u16,
    },
    /// An executor: runs tasks, serves its shuffle output to the others.
    Executor {
        /// The scheduler's host.
        #[arg(long, default_value = "localhost")]
        scheduler_host: String,
        /// The scheduler's port.
        #[arg(long, default_value_t = 50050)]
        scheduler_port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "0.0.0.0")]
        bind_host: String,
        /// The port of the executor's flight service (shuffle data).
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// The port of its gRPC service.
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Task slots (default: the number of cores).
        #[arg(long)]
        vcores: Option<usize>,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Args::parse().role {
        Role::Scheduler { bind_host, port } => {
            let mut config = SchedulerConfig::default()
                .with_hostname(bind_host.clone())
                .with_port(port);
            config.bind_host = bind_host.clone();
            config.bind_port = port;
            config.override_session_builder =
                Some(Arc::new(|config: SessionConfig| Ok(session_state(config))));
            let cluster = BallistaCluster::new_from_config(&config).await?;
            let address: SocketAddr = format!("{bind_host}:{port}").parse()?;
            start_server(cluster, address, Arc::new(config)).await?;
        }
        Role::Executor {
            scheduler_host,
            scheduler_port,
            bind_host,
            port,
            grpc_port,
            vcores,
        } => {
            let state = session_state(SessionConfig::new());
            let config = ExecutorProcessConfig {
                scheduler_host,
                scheduler_port,
                bind_host,
                port,
                grpc_port,
                vcores: vcores
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
                override_function_registry: Some(Arc::new(BallistaFunctionRegistry::from(&state))),
                ..Default::default()
            };
            start_executor_process(Arc::new(config)).await?;
        }
    }
    Ok(())
}
