//! Work spread over the main thread's tasks: each job queued here runs in a task of its own, one
//! after another, in the order queued. A page that mounts several charts at once (the backtest's
//! curves, the chain's indicators) then draws one chart per task, and no single task blocks the
//! page for the time of all of them (the frame's goal: no main-thread task over 50 ms).
//!
//! A `setTimeout(0)` between jobs, not `requestIdleCallback`: a hidden tab or a busy worker must
//! not postpone the figures indefinitely, and input events queued meanwhile run between jobs.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::Duration;

use leptos::prelude::set_timeout;

thread_local! {
    static QUEUE: RefCell<VecDeque<Box<dyn FnOnce()>>> = const { RefCell::new(VecDeque::new()) };
    static PUMPING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `job` in a later task, after the jobs queued before it, each in a task of its own.
pub fn in_own_task(job: impl FnOnce() + 'static) {
    QUEUE.with(|q| q.borrow_mut().push_back(Box::new(job)));
    if !PUMPING.with(|p| p.replace(true)) {
        set_timeout(pump, Duration::ZERO);
    }
}

fn pump() {
    let job = QUEUE.with(|q| q.borrow_mut().pop_front());
    if let Some(job) = job {
        job();
    }
    if QUEUE.with(|q| q.borrow().is_empty()) {
        PUMPING.with(|p| p.set(false));
    } else {
        set_timeout(pump, Duration::ZERO);
    }
}
