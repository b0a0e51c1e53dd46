import FoundationEssentials

/// A self-contained SVG line chart of narrative series: one line per narrative, its
/// expectation as a dashed line over a band, spikes as markers, a UTC time axis.
public struct SVGChart: Sendable {
    public struct Series: Sendable {
        public let name: String
        /// (bucket start in seconds since 1970, observed, expected, spike)
        public let points: [(start: Int64, observed: Double, expected: Double?, spike: Bool)]

        public init(name: String, points: [(start: Int64, observed: Double, expected: Double?, spike: Bool)]) {
            self.name = name
            self.points = points
        }
    }

    public var width = 960.0
    public var height = 420.0
    public var title: String
    public var yLabel: String
    public var series: [Series]

    public init(title: String, yLabel: String, series: [Series]) {
        self.title = title
        self.yLabel = yLabel
        self.series = series
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    public func render() -> String {
        let left = 64.0, right = 24.0, top = 64.0, bottom = 48.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = series.flatMap(\.points)
        let t0 = all.map(\.start).min() ?? 0, t1 = max(all.map(\.start).max() ?? 1, t0 + 1)
        let yMax = Self.niceCeiling(max(1, all.map { max($0.observed, $0.expected ?? 0) }.max() ?? 1))
        func x(_ t: Int64) -> Double { left + Double(t - t0) / Double(t1 - t0) * plotW }
        func y(_ v: Double) -> Double { top + plotH - v / yMax * plotH }
        func f(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
            font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(f(left))" y="28" font-size="16" font-weight="bold">\(Self.escape(title))</text>

            """
        // Grid and y axis.
        for k in 0...4 {
            let v = yMax * Double(k) / 4
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(v)))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\" fill=\"#555\">\(Self.label(v))</text>\n"
        }
        svg += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#555\">\(Self.escape(yLabel))</text>\n"
        // Time axis: one tick per day (or per hour for short spans), in UTC.
        let span = t1 - t0
        let days = (span + 86_399) / 86_400
        let step: Int64 = span > 4 * 86_400 ? 86_400 * max(1, (days + 7) / 8) : (span > 12 * 3600 ? 6 * 3600 : 3600)
        var tick = (t0 / step + 1) * step
        while tick <= t1 {
            let label = Timestamp.iso8601(tick)
            let text = step >= 86_400 ? String(label.dropFirst(5).prefix(5)) : String(label.dropFirst(5).prefix(11)).replacing("T", with: " ")
            svg += "<line x1=\"\(f(x(tick)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x(tick)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#555\"/>\n"
            svg += "<text x=\"\(f(x(tick)))\" y=\"\(f(top + plotH + 20))\" text-anchor=\"middle\" fill=\"#555\">\(text)</text>\n"
            tick += step
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#555\"/>\n"
        svg += "<text x=\"\(f(left + plotW))\" y=\"\(f(height - 6))\" text-anchor=\"end\" fill=\"#555\">UTC</text>\n"

        for (n, s) in series.enumerated() {
            let colour = Self.palette[n % Self.palette.count]
            let expected = s.points.compactMap { p in p.expected.map { (p.start, $0) } }
            if !expected.isEmpty {
                // The baseline band: the expectation up to twice it, where a spike starts to be possible.
                let upper = expected.map { "\(f(x($0.0))),\(f(y(min(yMax, 2 * $0.1))))" }
                let lower = expected.reversed().map { "\(f(x($0.0))),\(f(y($0.1)))" }
                svg += "<polygon class=\"baseline-band\" data-series=\"\(Self.escape(s.name))\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.12\"/>\n"
                svg += "<polyline class=\"baseline\" data-series=\"\(Self.escape(s.name))\" points=\"\(expected.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-dasharray=\"4 3\" stroke-width=\"1\"/>\n"
            }
            let line = s.points.map { "\(f(x($0.start))),\(f(y($0.observed)))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" data-series=\"\(Self.escape(s.name))\" points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
            for p in s.points where p.spike {
                svg += "<circle class=\"spike\" data-series=\"\(Self.escape(s.name))\" cx=\"\(f(x(p.start)))\" cy=\"\(f(y(p.observed)))\" r=\"5\" fill=\"\(colour)\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>\(Self.escape(s.name)) spike at \(Timestamp.iso8601(p.start)): \(Self.label(p.observed))</title></circle>\n"
            }
            // Legend.
            let lx = left + Double(n) * 150, ly = top - 18
            svg += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 9))\" width=\"12\" height=\"12\" fill=\"\(colour)\"/>\n"
            svg += "<text x=\"\(f(lx + 18))\" y=\"\(f(ly + 1))\">\(Self.escape(s.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func niceCeiling(_ v: Double) -> Double {
        guard v.isFinite, v < 1e300 else { return v.isFinite ? v : 1 }
        var magnitude = 1.0
        while magnitude * 10 <= v { magnitude *= 10 }
        while magnitude > v { magnitude /= 10 }
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= v { return step * magnitude }
        return 10 * magnitude
    }

    static func label(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return String(v) }
        return v == v.rounded() ? String(Int(v)) : String(Double(Int(v * 100)) / 100)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
