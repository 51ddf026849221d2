//! Ticketbooth started in-process for a test, with its default timers.

use usher::demo::{DemoConfig, FlawSet, RunningDemo, ShapeSet};

/// Ticketbooth with `flaws` switched on and no shape.
pub async fn demo(flaws: FlawSet) -> RunningDemo {
    shaped(flaws, ShapeSet::none()).await
}

/// Ticketbooth with `flaws` and `shapes` switched on.
pub async fn shaped(flaws: FlawSet, shapes: ShapeSet) -> RunningDemo {
    started(DemoConfig {
        flaws,
        shapes,
        ..DemoConfig::default()
    })
    .await
}

pub async fn started(config: DemoConfig) -> RunningDemo {
    usher::demo::start(config)
        .await
        .expect("Ticketbooth starts")
}
