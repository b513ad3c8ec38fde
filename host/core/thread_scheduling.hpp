// Internal header: the Linux scheduling policy of the host's network threads.
#pragma once

namespace gamehost::core {

// Puts the calling thread under SCHED_BATCH: the kernel no longer lets it preempt the
// thread running on a core when it wakes up (a socket became readable); it runs as soon as
// a core is free, with its fair share of CPU unchanged. For network threads, which wake for
// every few frames, that stops them from interrupting the worker that is producing the
// replies (measured: bench/README.md, "Network threads under SCHED_BATCH"). Needs no
// privilege. Returns false (and changes nothing) when the kernel refuses.
bool use_batch_scheduling() noexcept;

}  // namespace gamehost::core
