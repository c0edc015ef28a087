import CMalloc

/// How the process asks glibc's allocator to work, set once before anything else runs.
enum MallocTuning {
    /// Turns glibc's fast bins off (`mallopt(M_MXFAST, 0)`, as `GLIBC_TUNABLES=glibc.malloc.mxfast=0`).
    ///
    /// The hot path frees many small blocks and asks now and then for one of 1 KiB or more (a task's first
    /// allocation slab, hiredis's buffers, a response body); each such request makes glibc consolidate every
    /// fast-bin block first (`malloc_consolidate`, with `unlink_chunk` 4–5% of the samples). Without fast bins
    /// small blocks still come from the per-thread cache (tcache), and there is nothing to consolidate.
    /// Measured alternately, three runs each (`scripts/bench.py … --scale=0.5`, one process, pub/sub): bus
    /// 1,889 → 2,117 orders/s and 577 → 521 µs of CPU per order, HTTP c=64 1,219 → 1,337 orders/s.
    static func apply() {
        _ = mallopt(M_MXFAST, 0)
    }
}
