/// Krotov & Hopfield (PNAS 2019), eq. 1 and appendix B: the encoder h = f(W v) with the rectified
/// power f(x) = x^n for x >= 0 and 0 otherwise, and the supervised top layer c = tanh(S h) trained
/// by Adam on C = sum_examples sum_alpha |c_alpha - t_alpha|^m with t one-hot in {-1, +1}.
///
/// THE REFERENCE: float64, plain loops, one function per equation.
/// Shapes: W float[K, N]; v float[N]; h float[K]; S float[C, K]; a batch is float[B][.].
module Hebb.Reference.TopLayer

open System

/// Eq. 1: f(x) = x^n for x >= 0, 0 for x < 0 (n = 1 is ReLU).
let rectifiedPower (n: float) (x: float) : float =
    if x >= 0.0 then Math.Pow(x, n) else 0.0

/// Eq. 1 (first line): h_mu = f(sum_i W_mu,i v_i).
let encode (n: float) (w: float[,]) (v: float[]) : float[] =
    Array.init (Array2D.length1 w) (fun mu ->
        let mutable s = 0.0
        for i in 0 .. Array2D.length2 w - 1 do
            s <- s + w.[mu, i] * v.[i]
        rectifiedPower n s)

/// Eq. 1 (second line): c_alpha = tanh(sum_mu S_alpha,mu h_mu).
let forward (s: float[,]) (h: float[]) : float[] =
    Array.init (Array2D.length1 s) (fun a ->
        let mutable z = 0.0
        for mu in 0 .. Array2D.length2 s - 1 do
            z <- z + s.[a, mu] * h.[mu]
        tanh z)

/// Appendix B: the target of label l, t_alpha = +1 if alpha = l else -1.
let target (classes: int) (label: int) : float[] =
    Array.init classes (fun a -> if a = label then 1.0 else -1.0)

/// Appendix B: C = sum over the batch and classes of |c_alpha - t_alpha|^m.
let loss (m: float) (s: float[,]) (hs: float[][]) (labels: int[]) : float =
    let classes = Array2D.length1 s
    let mutable total = 0.0
    for b in 0 .. hs.Length - 1 do
        let c = forward s hs.[b]
        let t = target classes labels.[b]
        for a in 0 .. classes - 1 do
            total <- total + Math.Pow(abs (c.[a] - t.[a]), m)
    total

/// dC/dS_alpha,mu = sum_b m |c - t|^(m-1) sign(c - t) (1 - c^2) h_mu, by the chain rule through tanh.
let gradient (m: float) (s: float[,]) (hs: float[][]) (labels: int[]) : float[,] =
    let classes, hidden = Array2D.length1 s, Array2D.length2 s
    let grad = Array2D.zeroCreate classes hidden
    for b in 0 .. hs.Length - 1 do
        let c = forward s hs.[b]
        let t = target classes labels.[b]
        for a in 0 .. classes - 1 do
            let d = c.[a] - t.[a]
            let dz = m * Math.Pow(abs d, m - 1.0) * float (sign d) * (1.0 - c.[a] * c.[a])
            for mu in 0 .. hidden - 1 do
                grad.[a, mu] <- grad.[a, mu] + dz * hs.[b].[mu]
    grad

/// Adam's state for one parameter matrix: first and second moments and the step count.
type AdamState = { M1: float[,]; M2: float[,]; T: int }

let adamInit (rows: int) (cols: int) : AdamState =
    { M1 = Array2D.zeroCreate rows cols; M2 = Array2D.zeroCreate rows cols; T = 0 }

/// Adam (Kingma & Ba 2015, algorithm 1): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// theta -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
let adamStep (b1: float) (b2: float) (eps: float) (lr: float)
             (state: AdamState) (theta: float[,]) (g: float[,]) : float[,] * AdamState =
    let t = state.T + 1
    let m1 = Array2D.init (Array2D.length1 g) (Array2D.length2 g) (fun i j -> b1 * state.M1.[i, j] + (1.0 - b1) * g.[i, j])
    let m2 = Array2D.init (Array2D.length1 g) (Array2D.length2 g) (fun i j -> b2 * state.M2.[i, j] + (1.0 - b2) * g.[i, j] * g.[i, j])
    let c1, c2 = 1.0 - Math.Pow(b1, float t), 1.0 - Math.Pow(b2, float t)
    let next =
        Array2D.init (Array2D.length1 g) (Array2D.length2 g) (fun i j ->
            theta.[i, j] - lr * (m1.[i, j] / c1) / (sqrt (m2.[i, j] / c2) + eps))
    next, { M1 = m1; M2 = m2; T = t }
