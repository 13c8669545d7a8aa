#!/usr/bin/env python3
"""Independent reference values for DriftMetricsTests, in plain Python (no project code).
Each statistic is written from its textbook definition, the brute-force way:
  KS        max over all points of |F_a(x) - F_b(x)| (every sample point checked)
  KS p      Numerical Recipes' probks with Stephens' correction, summed to 100 terms
  W1        integral of |F_a - F_b| by summing over the pooled sorted points
  PSI       sum (a - e) ln(a / e), empty bins -> 1e-4
  JS        sqrt(JSD) with log base 2
  chi2 p    closed form survival function for integer degrees of freedom
Run: python3 drift_reference.py   (prints the values pasted into the tests)
"""
import math

A = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.0, 3.9, 5.1, 2.2, 3.0]
B = [3.9, 4.8, 5.5, 6.1, 4.2, 5.0, 4.7, 6.3, 3.6, 5.8]

def ecdf(s, x): return sum(1 for v in s if v <= x) / len(s)

def ks(a, b): return max(abs(ecdf(a, x) - ecdf(b, x)) for x in a + b)

def probks(lam):
    if lam < 0.2: return 1.0
    return max(0.0, min(1.0, 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * lam * lam) for j in range(1, 101))))

def ks_p(d, n, m):
    ne = n * m / (n + m); s = math.sqrt(ne)
    return probks((s + 0.12 + 0.11 / s) * d)

def w1(a, b):
    pts = sorted(set(a + b)); total = 0.0
    for x0, x1 in zip(pts, pts[1:]): total += abs(ecdf(a, x0) - ecdf(b, x0)) * (x1 - x0)
    return total

def psi(e, a):
    return sum((max(y, 1e-4) - max(x, 1e-4)) * math.log(max(y, 1e-4) / max(x, 1e-4)) for x, y in zip(e, a))

def js(p, q):
    sp, sq = sum(p), sum(q); p = [x / sp for x in p]; q = [x / sq for x in q]
    d = 0.0
    for x, y in zip(p, q):
        m = (x + y) / 2
        if x > 0: d += 0.5 * x * math.log2(x / m)
        if y > 0: d += 0.5 * y * math.log2(y / m)
    return math.sqrt(d)

def chi2_sf(x, k):
    # closed forms: even k -> Poisson sum; odd k -> erfc plus series
    if k % 2 == 0:
        return math.exp(-x / 2) * sum((x / 2) ** i / math.factorial(i) for i in range(k // 2))
    s = math.erfc(math.sqrt(x / 2)); term = math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    for i in range(1, (k - 1) // 2 + 1):
        s += term; term *= x / (2 * i + 1)
    return s

def chi2_homogeneity(a, b):
    na, nb = sum(a), sum(b); n = na + nb; chi = 0.0; k = 0
    for x, y in zip(a, b):
        c = x + y
        if c == 0: continue
        k += 1; ea = c * na / n; eb = c * nb / n
        chi += (x - ea) ** 2 / ea + (y - eb) ** 2 / eb
    return chi, k - 1, chi2_sf(chi, k - 1)

d = ks(A, B)
print("ks", repr(d)); print("ks_p", repr(ks_p(d, len(A), len(B)))); print("w1", repr(w1(A, B)))
E = [0.1, 0.2, 0.3, 0.4, 0.0]; P = [0.15, 0.25, 0.25, 0.3, 0.05]
print("psi", repr(psi(E, P))); print("js", repr(js(E, P)))
CA = [50, 30, 20]; CB = [30, 30, 40]
print("chi2", repr(chi2_homogeneity(CA, CB))); print("js_counts", repr(js(CA, CB)))
print("chi2_sf_3.841459_1", repr(chi2_sf(3.841459, 1))); print("chi2_sf_11.0705_5", repr(chi2_sf(11.0705, 5)))
print("chi2_sf_20_10", repr(chi2_sf(20.0, 10)))
print("probks_1.3581", repr(probks(1.3581)))
