import Glibc

/// A thread of its own for blocking work (a libcurl transfer loop), so that it never holds one
/// of the few threads Swift concurrency runs tasks on.
public enum DetachedThread {
    private final class Work {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
    }

    /// Names the calling thread as `ps -L` and `top -H` show it (the kernel keeps 15 bytes).
    private static func setName(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = name.withCString { write(fd, $0, min(strlen($0), 15)) }
        close(fd)
    }

    /// Runs `body` on a new detached thread named `name`.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let work = Unmanaged.passRetained(Work(name: name, body: body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { context in
            let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
            DetachedThread.setName(work.name)
            work.body()
            return nil
        }, work.toOpaque())
        // Without a thread nothing can be fetched or delivered; this fails only when the
        // system is out of threads or memory.
        precondition(result == 0, "pthread_create failed: \(result)")
    }
}
