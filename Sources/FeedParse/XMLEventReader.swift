internal import CLibXML2

/// What the XML reader reports, element by element. Names and text are handed over as
/// libxml2 gives them, valid only during the call, so nothing is copied that is not kept.
protocol XMLEventHandler: AnyObject {
    func startElement(_ name: XMLName, attributes: XMLAttributes)
    func endElement(_ name: XMLName)
    func characters(_ text: UnsafeBufferPointer<UInt8>)
}

/// An element's name. libxml2 interns names and namespace URIs in its dictionary, so equal
/// names have equal pointers for the whole parse: `key` and `namespaceKey` can be cached.
struct XMLName {
    let local: UnsafePointer<UInt8>
    let namespace: UnsafePointer<UInt8>?
    let prefix: UnsafePointer<UInt8>?

    var key: UnsafeRawPointer { UnsafeRawPointer(local) }
    var namespaceKey: UnsafeRawPointer? { namespace.map(UnsafeRawPointer.init) }
    var localName: String { String(cString: local) }
    var namespaceURI: String? { namespace.map { String(cString: $0) } }
    var qualifiedName: String {
        guard let prefix else { return localName }
        return String(cString: prefix) + ":" + localName
    }
}

/// The attributes of a start tag, read on demand.
struct XMLAttributes {
    fileprivate let base: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    let count: Int

    /// The value of the attribute with this local name (and prefix, when given), with
    /// character references decoded.
    func value(_ local: StaticString, prefix: StaticString? = nil) -> String? {
        guard let base else { return nil }
        for k in 0..<count {
            let a = base + k * 5
            guard let name = a[0], Self.equal(name, local) else { continue }
            if let prefix {
                guard let p = a[1], Self.equal(p, prefix) else { continue }
            } else if a[1] != nil {
                // Unprefixed lookups skip prefixed attributes of other vocabularies (l:rel for rel).
                continue
            }
            return Self.decode(a[3], a[4])
        }
        return nil
    }

    /// Every attribute as (qualified name, value), for markup kept as markup.
    var all: [(String, String)] {
        guard let base else { return [] }
        return (0..<count).compactMap { k in
            let a = base + k * 5
            guard let name = a[0] else { return nil }
            let local = String(cString: name)
            let qualified = a[1].map { String(cString: $0) + ":" + local } ?? local
            return (qualified, Self.decode(a[3], a[4]) ?? "")
        }
    }

    private static func equal(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        let q = s.utf8Start
        for i in 0..<n where p[i] != q[i] { return false }
        return p[n] == 0
    }

    /// libxml2 leaves `&#38;` and `&#60;` (from `&amp;` and `&lt;`) in attribute values when
    /// it does not substitute entities; they are decoded here.
    private static func decode(_ start: UnsafePointer<UInt8>?, _ end: UnsafePointer<UInt8>?) -> String? {
        guard let start, let end else { return nil }
        let bytes = UnsafeBufferPointer(start: start, count: end - start)
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "#"),
               let semicolon = bytes[(i + 2)...].prefix(8).firstIndex(of: UInt8(ascii: ";")) {
                let body = String(decoding: bytes[(i + 2)..<semicolon], as: UTF8.self)
                let value = body.first == "x" || body.first == "X" ? UInt32(body.dropFirst(), radix: 16) : UInt32(body)
                if let value {
                    XMLRecovery.appendUTF8(value, to: &out)
                    i = semicolon + 1
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// libxml2's streaming SAX2 parser in recovery mode. No DTD is loaded, no entity is
/// substituted (the recovery pass has already dealt with them), no network is touched.
/// Reports events to a handler and tells whether the document was well-formed.
final class XMLEventReader {
    // The handler outlives every parse (the caller holds it); no reference counting per event.
    private unowned(unsafe) let handler: any XMLEventHandler
    private(set) var sawRoot = false

    init(handler: any XMLEventHandler) {
        self.handler = handler
        Self.initialized
    }

    /// libxml2 wants one initialisation before parsers run on several threads.
    private static let initialized: Void = xmlInitParser()

    struct Outcome {
        let wellFormed: Bool
        /// libxml2's first error, when the document was not well-formed.
        let error: String?
        /// The bytes were not valid UTF-8 (libxml2 then falls back to Latin-1).
        var invalidUTF8 = false
    }

    /// Parses UTF-8 bytes; any encoding declaration in them is ignored.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        // The reader outlives the parse, so the callbacks borrow it without reference counting.
        sax.startElementNs = { ctx, localname, prefix, uri, _, _, attributeCount, _, attributes in
            guard let ctx, let localname else { return }
            Unmanaged<XMLEventReader>.fromOpaque(ctx)._withUnsafeGuaranteedRef { reader in
                reader.sawRoot = true
                reader.handler.startElement(XMLName(local: localname, namespace: uri, prefix: prefix),
                                            attributes: XMLAttributes(base: attributes, count: Int(attributeCount)))
            }
        }
        sax.endElementNs = { ctx, localname, prefix, uri in
            guard let ctx, let localname else { return }
            Unmanaged<XMLEventReader>.fromOpaque(ctx)._withUnsafeGuaranteedRef { reader in
                reader.handler.endElement(XMLName(local: localname, namespace: uri, prefix: prefix))
            }
        }
        let text: charactersSAXFunc = { ctx, chars, length in
            guard let ctx, let chars, length > 0 else { return }
            Unmanaged<XMLEventReader>.fromOpaque(ctx)._withUnsafeGuaranteedRef { reader in
                reader.handler.characters(UnsafeBufferPointer(start: chars, count: Int(length)))
            }
        }
        sax.characters = text
        sax.cdataBlock = text
        // The same callback for white space spares libxml2 its test for ignorable blanks.
        sax.ignorableWhitespace = text
        // Errors are read from the context afterwards; libxml2 must not print them.
        sax.error = nil
        sax.warning = nil
        sax.serror = { _, _ in }

        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let ctxt = xmlCreatePushParserCtxt(&sax, context, nil, 0, nil) else {
            return Outcome(wellFormed: false, error: "the XML parser could not start")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_NOCDATA.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        bytes.withMemoryRebound(to: CChar.self) { chars in
            var offset = 0
            // Chunks keep libxml2's int length in range for any body size.
            let chunk = 1 << 22
            repeat {
                let count = min(chunk, chars.count - offset)
                let isLast: Int32 = offset + count >= chars.count ? 1 : 0
                _ = xmlParseChunk(ctxt, chars.baseAddress.map { $0 + offset }, Int32(count), isLast)
                offset += count
            } while offset < chars.count
        }
        let wellFormed = ctxt.pointee.wellFormed != 0
        let invalidUTF8 = ctxt.pointee.charset != Int32(XML_CHAR_ENCODING_UTF8.rawValue)
        var message: String?
        if !wellFormed, let error = xmlCtxtGetLastError(ctxt), let text = error.pointee.message {
            message = "line \(error.pointee.line): " + String(cString: text).trimmingNewlines()
        }
        return Outcome(wellFormed: wellFormed, error: message, invalidUTF8: invalidUTF8)
    }
}

private extension String {
    func trimmingNewlines() -> String {
        var s = self
        while s.last == "\n" || s.last == "\r" { s.removeLast() }
        return s
    }
}
