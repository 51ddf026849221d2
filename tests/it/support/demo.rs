//! Ticketbooth started in-process for a test, with its default timers.

use usher::demo::{DemoConfig, Flaw, FlawSet, RunningDemo, Shape, ShapeSet};

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

/// Ticketbooth with the listed `flaws` and `shapes` switched on.
pub async fn switched(flaws: &[Flaw], shapes: &[Shape]) -> RunningDemo {
    shaped(
        flaws.iter().copied().collect::<FlawSet>(),
        shapes.iter().copied().collect::<ShapeSet>(),
    )
    .await
}

pub async fn started(config: DemoConfig) -> RunningDemo {
    usher::demo::start(config)
        .await
        .expect("Ticketbooth starts")
}
