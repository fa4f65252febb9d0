//! Process-wide settings of the `archc` command (and of its benchmarks, to measure what ships).

/// Keeps the heap off transparent huge pages. A build makes and frees gigabytes in small
/// pieces once; with huge pages the kernel zeroed 2 MB for each fresh piece of the heap, a
/// third of a large build's time (measured with `perf`). The language server does not call
/// this: it keeps one large heap and looks things up in it for hours, where huge pages made a
/// keystroke at 100,000 components 20 % faster (61 ms against 77 ms). Where the system cannot
/// say so, nothing changes.
pub fn keep_heap_off_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
