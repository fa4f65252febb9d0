//! Process-wide settings that the binaries (and the benchmarks, to measure what ships) share.

/// Keeps the heap off transparent huge pages. archc makes and frees gigabytes in small pieces
/// (a build of 100,000 components, a language server retyping its workspace); with huge pages
/// the kernel zeroed 2 MB for each fresh piece of the heap, a third of a large build's time
/// (measured with `perf`). Where the system cannot say so, nothing changes.
pub fn keep_heap_off_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
