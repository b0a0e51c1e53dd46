import Glibc

/// Standard output and error written straight to their descriptors, whole, and standard
/// input read to its end: what the daemon and the command line need, without Foundation's
/// FileHandle.
public struct StandardStream: Sendable {
    public let descriptor: Int32

    public static let output = StandardStream(descriptor: STDOUT_FILENO)
    public static let error = StandardStream(descriptor: STDERR_FILENO)
    public static let input = StandardStream(descriptor: STDIN_FILENO)

    /// Writes all of `text`, retrying short writes and interruptions; a closed pipe ends it.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n > 0 { done += n } else if n < 0, errno == EINTR { continue } else { return }
            }
        }
    }

    /// Everything up to end of file.
    public func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n > 0 { bytes += chunk[0..<n] } else if n < 0, errno == EINTR { continue } else { return bytes }
        }
    }
}
