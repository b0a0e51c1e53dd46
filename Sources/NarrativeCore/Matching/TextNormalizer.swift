import Foundation

/// Brings terms and item text to one form before they are compared: compatibility forms
/// folded (full-width `ＡＩ` is `AI`), case and Latin diacritics folded, and Arabic
/// normalized the way search engines do it.
public enum TextNormalizer {
    public static func normalize(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = String.UnicodeScalarView()
        out.reserveCapacity(folded.unicodeScalars.count)
        for scalar in folded.unicodeScalars {
            switch scalar.value {
            case 0x0640, 0x064B...0x065F, 0x0670:
                continue // tatweel and tashkeel carry no meaning for matching
            case 0x0622, 0x0623, 0x0625, 0x0671:
                out.append("\u{0627}") // hamza and madda forms of alef → bare alef
            case 0x0649:
                out.append("\u{064A}") // alef maksura → yeh
            case 0x0629:
                out.append("\u{0647}") // teh marbuta → heh
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }
}
