import Glibc

/// A file descriptor written whole and read to its end: standard output and error, standard
/// input, the files the command line writes — without Foundation's FileHandle.
public struct Descriptor: Sendable {
    public let number: Int32

    public init(_ number: Int32) { self.number = number }

    public static let standardOutput = Descriptor(STDOUT_FILENO)
    public static let standardError = Descriptor(STDERR_FILENO)
    public static let standardInput = Descriptor(STDIN_FILENO)

    /// Writes all of `text`, retrying short writes and interruptions.
    /// - Returns: 0, or the `errno` that stopped it (a closed pipe, a full disk).
    @discardableResult
    public func write(_ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(number, buffer.baseAddress! + done, buffer.count - done)
                if n > 0 { done += n } else if n < 0, errno == EINTR { continue } else { return n < 0 ? errno : EIO }
            }
            return 0
        }
    }

    /// Everything up to end of file, read straight into one array: `expected` bytes to begin
    /// with (a file's size), doubling when there are more, up to `limit`.
    /// - Returns: the bytes, and 0 or the `errno` that stopped the reading (`EFBIG` past `limit`).
    public func readAll(expected: Int = 0, limit: Int = .max) -> (bytes: [UInt8], failure: Int32) {
        var size = min(max(expected, 0), limit)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while true {
            if filled == size {
                guard size < limit else { return (bytes, EFBIG) }
                // More than expected, or nothing was: read on in larger steps.
                size = min(max(size * 2, 1 << 16), limit)
                bytes.append(contentsOf: repeatElement(0, count: size - bytes.count))
            }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(number, $0.baseAddress! + filled, size - filled) }
            if got > 0 { filled += got } else if got < 0, errno == EINTR { continue } else {
                bytes.removeSubrange(filled...)
                return (bytes, got < 0 ? errno : 0)
            }
        }
    }
}
