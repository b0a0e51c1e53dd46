internal import CLibXML2
import NarrativeCore

/// What the XML reader reports, element by element.
protocol XMLEventHandler: AnyObject {
    func startElement(namespace: String?, name: String, attributes: [XMLAttribute])
    func endElement(namespace: String?, name: String)
    func characters(_ text: String)
}

struct XMLAttribute {
    let namespace: String?
    let name: String
    let value: String
}

/// libxml2's streaming SAX2 parser in recovery mode, with the network and external
/// entities off. Reports events to a handler and tells whether the document was well-formed.
final class XMLEventReader {
    private unowned let handler: any XMLEventHandler
    private(set) var sawRoot = false

    init(handler: any XMLEventHandler) { self.handler = handler }

    struct Outcome {
        let wellFormed: Bool
        /// libxml2's first error, when the document was not well-formed.
        let error: String?
    }

    func parse(_ bytes: [UInt8]) -> Outcome {
        xmlInitParser()
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { ctx, localname, _, uri, _, _, attributeCount, _, attributes in
            let reader = Unmanaged<XMLEventReader>.fromOpaque(ctx!).takeUnretainedValue()
            reader.sawRoot = true
            var attrs: [XMLAttribute] = []
            if let attributes, attributeCount > 0 {
                for k in 0..<Int(attributeCount) {
                    let base = k * 5
                    guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
                    var value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                    // Without entity substitution libxml2 hands `&amp;` in attributes over as `&#38;`.
                    if value.contains("&#") { value = decodeCharacterReferences(value) }
                    attrs.append(XMLAttribute(namespace: attributes[base + 2].map(string), name: string(name), value: value))
                }
            }
            reader.handler.startElement(namespace: uri.map(string), name: localname.map(string) ?? "", attributes: attrs)
        }
        sax.endElementNs = { ctx, localname, _, uri in
            let reader = Unmanaged<XMLEventReader>.fromOpaque(ctx!).takeUnretainedValue()
            reader.handler.endElement(namespace: uri.map(string), name: localname.map(string) ?? "")
        }
        let text: charactersSAXFunc = { ctx, chars, length in
            guard let chars, length > 0 else { return }
            let reader = Unmanaged<XMLEventReader>.fromOpaque(ctx!).takeUnretainedValue()
            reader.handler.characters(String(decoding: UnsafeBufferPointer(start: chars, count: Int(length)), as: UTF8.self))
        }
        sax.characters = text
        sax.cdataBlock = text

        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let ctxt = xmlCreatePushParserCtxt(&sax, context, nil, 0, nil) else {
            return Outcome(wellFormed: false, error: "the XML parser could not start")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOBLANKS.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                var offset = 0
                // Chunks keep libxml2's int length in range for any body size.
                let chunk = 1 << 20
                repeat {
                    let count = min(chunk, chars.count - offset)
                    let isLast: Int32 = offset + count >= chars.count ? 1 : 0
                    _ = xmlParseChunk(ctxt, chars.baseAddress.map { $0 + offset }, Int32(count), isLast)
                    offset += count
                } while offset < chars.count
            }
        }
        let wellFormed = ctxt.pointee.wellFormed != 0
        var message: String?
        if !wellFormed, let error = xmlCtxtGetLastError(ctxt), let text = error.pointee.message {
            message = "line \(error.pointee.line): " + String(cString: text).trimmingNewlines()
        }
        return Outcome(wellFormed: wellFormed, error: message)
    }
}

/// Replaces numeric character references (`&#38;`, `&#x26;`) with their characters.
func decodeCharacterReferences(_ s: String) -> String {
    var out = ""
    var rest = Substring(s)
    while let amp = rest.range(of: "&#") {
        out += rest[..<amp.lowerBound]
        let after = rest[amp.upperBound...]
        if let semi = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semi) <= 8,
           let decoded = HTMLEntities.numeric("#" + after[..<semi]) {
            out += decoded
            rest = after[after.index(after: semi)...]
        } else {
            out += "&#"
            rest = after
        }
    }
    return out + rest
}

private func string(_ p: UnsafePointer<xmlChar>) -> String {
    String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
}

private extension String {
    func trimmingNewlines() -> String {
        var s = self
        while s.last == "\n" || s.last == "\r" { s.removeLast() }
        return s
    }
}
