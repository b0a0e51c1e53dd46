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

    /// Everything up to end of file.
    public func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(number, $0.baseAddress, $0.count) }
            if n > 0 { bytes += chunk[0..<n] } else if n < 0, errno == EINTR { continue } else { return bytes }
        }
    }
}
