import FoundationEssentials
import Glibc

/// Upper-tail probabilities of the count models the detector uses.
public enum CountTail {
    /// P(X ≥ k) for a count with mean `mean` and variance `dispersion × mean`: Poisson when
    /// the dispersion is 1, else the negative binomial with that mean and variance.
    public static func upperTail(atLeast k: Int, mean: Double, dispersion: Double) -> Double {
        guard k > 0 else { return 1 }
        guard mean > 0 else { return 0 }
        // Within 2% of Poisson the difference does not matter and the gamma series is much cheaper.
        if dispersion <= 1.02 { return poisson(atLeast: k, mean: mean) }
        // Negative binomial with size r and success probability p = r / (r + mean):
        // P(X ≥ k) = I_{1−p}(k, r).
        let r = mean / (dispersion - 1)
        return regularizedBeta(x: mean / (r + mean), a: Double(k), b: r)
    }

    /// P(X ≥ k) for X ~ Poisson(mean): the regularized lower incomplete gamma P(k, mean).
    public static func poisson(atLeast k: Int, mean: Double) -> Double {
        guard k > 0 else { return 1 }
        guard mean > 0 else { return 0 }
        return regularizedLowerGamma(Double(k), mean)
    }

    /// P(a, x) by its series for x < a + 1, else 1 − Q(a, x) by Lentz's continued fraction.
    static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefactor = -x + a * log(x) - lgamma(a)
        if x < a + 1 {
            var sum = 1 / a, term = 1 / a, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return min(1, sum * exp(logPrefactor))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return max(0, 1 - exp(logPrefactor) * h)
    }

    /// The regularized incomplete beta I_x(a, b), by its continued fraction (Numerical Recipes).
    static func regularizedBeta(x: Double, a: Double, b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logFront: Double = logBeta + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return min(1, max(0, exp(logFront) * betaFraction(x: x, a: a, b: b) / a))
        }
        return min(1, max(0, 1 - exp(logFront) * betaFraction(x: 1 - x, a: b, b: a) / b))
    }

    private static func betaFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...400 {
            let m = Double(m)
            var aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-14 { break }
        }
        return h
    }
}
