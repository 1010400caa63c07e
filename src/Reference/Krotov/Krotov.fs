/// Krotov & Hopfield, "Unsupervised Learning by Competing Hidden Units", PNAS 2019
/// (../shared/papers/krotov-hopfield-competing-hidden-units.md).
///
/// THE REFERENCE. One function per equation, float64, plain loops, written to be read beside the
/// paper and never optimized. The accelerated engine is held to these functions by the
/// equivalence tests; the papers' invariants hold these functions by the property tests.
///
/// Shapes: a weight vector W (one hidden unit) and an input v are float[N]; the weights of K units
/// are float[K, N] (row mu is W_mu); a minibatch is float[B][N].
module Hebb.Reference.Krotov

open System

// ---------------------------------------------------------------------------------------------
// Section 2.1: the metric, the inner product and Q
// ---------------------------------------------------------------------------------------------

/// Eq. 2 (left): the metric g_ij = |W_i|^(p-2) delta_ij, returned as its diagonal, float[N].
let metric (p: float) (w: float[]) : float[] =
    w |> Array.map (fun wi -> Math.Pow(abs wi, p - 2.0))

/// Eq. 2 (left): <X, Y> = sum_ij g_ij X_i Y_j = sum_i |W_i|^(p-2) X_i Y_i.
/// Literal for p >= 2; for p < 2 and a zero W_i the metric is infinite, use `current` for <W, v>.
let inner (p: float) (w: float[]) (x: float[]) (y: float[]) : float =
    let g = metric p w
    let mutable s = 0.0
    for i in 0 .. w.Length - 1 do
        s <- s + g.[i] * x.[i] * y.[i]
    s

/// <W, v> = sum_i |W_i|^(p-2) W_i v_i = sum_i sign(W_i) |W_i|^(p-1) v_i: the input current
/// I_mu of eq. 4 (the same sum written so that it is finite for every p >= 1).
let current (p: float) (w: float[]) (v: float[]) : float =
    let mutable s = 0.0
    for i in 0 .. w.Length - 1 do
        s <- s + float (sign w.[i]) * Math.Pow(abs w.[i], p - 1.0) * v.[i]
    s

/// <W, W> = sum_i |W_i|^p: the p-th power of W's Lebesgue p-norm.
let normP (p: float) (w: float[]) : float =
    let mutable s = 0.0
    for i in 0 .. w.Length - 1 do
        s <- s + Math.Pow(abs w.[i], p)
    s

/// Eq. 2 (right): Q = <W, v> / <W, W>^((p-1)/p).
let q (p: float) (w: float[]) (v: float[]) : float =
    current p w v / Math.Pow(normP p w, (p - 1.0) / p)

// ---------------------------------------------------------------------------------------------
// Eq. 2: the plasticity rule, and its explicit Euler step
// ---------------------------------------------------------------------------------------------

/// Eq. 2: tau_L dW_i/dt = g(Q) (R^p v_i - <W, v> W_i), with the value gQ = g(Q) given.
let plasticityWithActivation (p: float) (r: float) (gQ: float) (w: float[]) (v: float[]) : float[] =
    let wv = current p w v
    let rp = Math.Pow(r, p)
    Array.init w.Length (fun i -> gQ * (rp * v.[i] - wv * w.[i]))

/// Eq. 2 with the learning activation g supplied by the caller: g is applied to Q.
let plasticity (g: float -> float) (p: float) (r: float) (w: float[]) (v: float[]) : float[] =
    plasticityWithActivation p r (g (q p w v)) w v

/// One explicit Euler step of eq. 2: W + (dt / tau_L) * rhs.
let eulerStep (g: float -> float) (p: float) (r: float) (dtOverTau: float) (w: float[]) (v: float[]) : float[] =
    let d = plasticity g p r w v
    Array.init w.Length (fun i -> w.[i] + dtOverTau * d.[i])

/// Section 2.1: tau_L d<W,W>/dt = p g(Q) <W, v> (R^p - <W, W>), the law that drives W to the sphere.
let normRate (g: float -> float) (p: float) (r: float) (w: float[]) (v: float[]) : float =
    p * g (q p w v) * current p w v * (Math.Pow(r, p) - normP p w)

// ---------------------------------------------------------------------------------------------
// Eq. 3: the Lyapunov function
// ---------------------------------------------------------------------------------------------

/// Eq. 3: L = sum_mu G(Q_mu) for the K rows of W and one input v, with G' = g given as G.
let lyapunov (bigG: float -> float) (p: float) (w: float[,]) (v: float[]) : float =
    let mutable s = 0.0
    for mu in 0 .. Array2D.length1 w - 1 do
        s <- s + bigG (q p w.[mu, *] v)
    s

// ---------------------------------------------------------------------------------------------
// Section 2.2, eq. 4: hidden units with global inhibition, and the "biological" algorithm
// ---------------------------------------------------------------------------------------------

/// The firing rate r(h) = max(h, 0) of eq. 4.
let rate (h: float) = max h 0.0

/// Eq. 4: tau dh_mu/dt = I_mu - w_inh sum_{nu != mu} r(h_nu) - h_mu, for all mu.
let inhibitionRhs (wInh: float) (currents: float[]) (h: float[]) : float[] =
    Array.init h.Length (fun mu ->
        let mutable others = 0.0
        for nu in 0 .. h.Length - 1 do
            if nu <> mu then others <- others + rate h.[nu]
        currents.[mu] - wInh * others - h.[mu])

/// The outcome of integrating eq. 4.
type SteadyState = { H: float[]; Steps: int; Converged: bool; Residual: float }

/// Eq. 4 integrated by explicit Euler steps of dt/tau from h = 0 until max |rhs| <= tol
/// (or maxSteps). The step must be small enough for the integration to be stable:
/// dt/tau < 2 / (1 + w_inh * (K - 1)) is safe.
let steadyState (wInh: float) (dtOverTau: float) (tol: float) (maxSteps: int) (currents: float[]) : SteadyState =
    let mutable h = Array.zeroCreate currents.Length
    let mutable steps = 0
    let mutable residual = Double.PositiveInfinity
    let mutable fin = false
    while not fin do
        let d = inhibitionRhs wInh currents h
        residual <- if d.Length = 0 then 0.0 else d |> Array.map abs |> Array.max
        if residual <= tol || steps >= maxSteps then fin <- true
        else
            h <- Array.init h.Length (fun mu -> h.[mu] + dtOverTau * d.[mu])
            steps <- steps + 1
    { H = h; Steps = steps; Converged = residual <= tol; Residual = residual }

/// Section 2.2: a learning activation that is positive above the threshold h*, negative in
/// (0, h*) and zero for h <= 0. The paper gives only its signs; this one is the step function
/// with the fast rule's values: 1 above h*, -Delta in (0, h*), 0 below.
let learningActivation (hStar: float) (delta: float) (h: float) : float =
    if h >= hStar then 1.0
    elif h > 0.0 then -delta
    else 0.0

/// Section 2.2 as a whole, for one input v: currents I_mu = <W_mu, v>, eq. 4 to its steady state,
/// g(h_mu) from the learning activation, and one Euler step of eq. 2 for every unit:
/// W_mu += lr * g(h_mu) (R^p v - <W_mu, v> W_mu). Returns the new W and the steady state.
let biologicalStep (p: float) (r: float) (wInh: float) (hStar: float) (delta: float)
                   (dtOverTau: float) (tol: float) (maxSteps: int)
                   (lr: float) (w: float[,]) (v: float[]) : float[,] * SteadyState =
    let k = Array2D.length1 w
    let currents = Array.init k (fun mu -> current p w.[mu, *] v)
    let ss = steadyState wInh dtOverTau tol maxSteps currents
    let next = Array2D.copy w
    for mu in 0 .. k - 1 do
        let d = plasticityWithActivation p r (learningActivation hStar delta ss.H.[mu]) w.[mu, *] v
        for i in 0 .. Array2D.length2 w - 1 do
            next.[mu, i] <- w.[mu, i] + lr * d.[i]
    next, ss

// ---------------------------------------------------------------------------------------------
// Section 3: the fast minibatch approximation
// ---------------------------------------------------------------------------------------------

/// Section 3: the units ranked by current, strongest first; equal currents keep the lower index first.
let rank (currents: float[]) : int[] =
    Array.init currents.Length id
    |> Array.sortWith (fun a b ->
        let c = compare currents.[b] currents.[a]
        if c <> 0 then c else compare a b)

/// Section 3: the learning activation of one sample, float[K]: g = 1 for the top-ranked unit and
/// g = -Delta for the k-th ranked (k >= 2; with fewer than k units only the top unit learns).
let fastActivation (rankK: int) (delta: float) (currents: float[]) : float[] =
    let order = rank currents
    let g = Array.zeroCreate currents.Length
    if order.Length >= 1 then g.[order.[0]] <- 1.0
    if order.Length >= rankK then g.[order.[rankK - 1]] <- -delta
    g

/// The two readings of section 3 (see Hebb.Contracts.KrotovVariant).
type Variant =
    /// dW = lr * (1/B) sum_b g (R^p v_b - I_b W): eq. 2 averaged over the minibatch.
    | Paper
    /// ds = sum_b g (R^p v_b - I_b W); dW = lr * ds / max(max |ds|, precision).
    | AuthorsCode of precision: float

/// Section 3: eq. 2 summed over the minibatch with the rank-based g, before any scaling:
/// ds_mu = sum_b g_mu(b) (R^p v_b - <W_mu, v_b> W_mu). float[K, N].
let fastUpdateSum (p: float) (r: float) (rankK: int) (delta: float) (w: float[,]) (batch: float[][]) : float[,] =
    let k, n = Array2D.length1 w, Array2D.length2 w
    let ds = Array2D.zeroCreate k n
    for v in batch do
        let currents = Array.init k (fun mu -> current p w.[mu, *] v)
        let g = fastActivation rankK delta currents
        for mu in 0 .. k - 1 do
            if g.[mu] <> 0.0 then
                let d = plasticityWithActivation p r g.[mu] w.[mu, *] v
                for i in 0 .. n - 1 do
                    ds.[mu, i] <- ds.[mu, i] + d.[i]
    ds

/// Section 3: one step of the fast rule with learning rate lr, in the chosen variant.
let fastStep (variant: Variant) (p: float) (r: float) (rankK: int) (delta: float) (lr: float)
             (w: float[,]) (batch: float[][]) : float[,] =
    let ds = fastUpdateSum p r rankK delta w batch
    let scale =
        match variant with
        | Paper -> lr / float batch.Length
        | AuthorsCode precision ->
            let mutable m = 0.0
            ds |> Array2D.iter (fun x -> m <- max m (abs x))
            lr / max m precision
    Array2D.init (Array2D.length1 w) (Array2D.length2 w) (fun mu i -> w.[mu, i] + scale * ds.[mu, i])
