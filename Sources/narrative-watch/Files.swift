import FoundationEssentials
import Glibc
import Notify

/// Files the command line reads and writes, with errors an operator can read
/// (`No such file or directory`, not an error's structure).
enum Files {
    /// What the system said, as `strerror` words it.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(errno code: Int32) { description = String(cString: strerror(code)) }
        init(_ description: String) { self.description = description }
    }

    /// The system's words for a FileManager error (which carries the POSIX error underneath).
    static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return Failure(errno: posix.code.rawValue).description }
        if let cocoa = error as? CocoaError, let posix = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
            return Failure(errno: posix.code.rawValue).description
        }
        return "\(error)"
    }

    /// A file's bytes, read straight into the array the parser takes (no intermediate Data);
    /// `-` is standard input. A file (or input) larger than `limit` bytes is refused, not read.
    static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        func tooLarge() -> Failure { Failure("larger than \(limit >> 20) MB, more than this command reads") }
        if path == "-" {
            let (bytes, failure) = Descriptor.standardInput.readAll(limit: limit)
            guard failure != EFBIG else { throw tooLarge() }
            return bytes
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(errno: errno) }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw Failure(errno: EISDIR) }
        guard info.st_size <= limit else { throw tooLarge() }
        let (bytes, failure) = Descriptor(fd).readAll(expected: Int(info.st_size), limit: limit)
        guard failure != EFBIG else { throw tooLarge() }
        guard failure == 0 else { throw Failure(errno: failure) }
        return bytes
    }

    /// Replaces `path` with `text` atomically: a reader sees the old file or the new one.
    static func write(_ text: String, to path: String) throws(Failure) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(errno: errno) }
        var failure = Descriptor(fd).write(text)
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw Failure(errno: failure)
        }
    }

    /// True when `path` names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

}
