/// The invariants Krotov & Hopfield (PNAS 2019) state for eq. 2-4 and the fast rule of section 3,
/// as named laws over the reference (Hebb.Reference.Krotov).
module Hebb.Tests.Properties.KrotovLaws

open System
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open global.Xunit
open Hebb.Reference
open Hebb.Tests.Properties.Generators

/// A learning activation with g(Q) <W, v> >= 0 (the paper's positivity bound): g = ReLU(Q)^n.
let relPow n (x: float) = if x > 0.0 then Math.Pow(x, n) else 0.0

/// d<W,W>/dt by the chain rule, from eq. 2's right-hand side: p sum_i sign(W_i)|W_i|^(p-1) dW_i.
let normDerivative p (w: float[]) (d: float[]) =
    Array.fold2 (fun s wi di -> s + p * float (sign wi) * Math.Pow(abs wi, p - 1.0) * di) 0.0 w d

/// One unit of eq. 2: a Lebesgue norm p, a radius R, weights W and an input v (pixels), all of dimension N.
let unitCase = gen {
    let! n = dimension
    let! p = lebesgueP
    let! w = weights n
    let! v = pixels n
    let! r = Gen.elements [ 0.5; 1.0; 2.0 ]
    return p, r, w, v }

/// Section 2.1: the p-norm of W moves toward R: d<W,W>/dt has the sign of R^p - <W,W>
/// whenever g(Q)<W,v> >= 0; and the closed form p g <W,v> (R^p - <W,W>) equals the chain rule.
let normMovesTowardR =
    let gen = gen {
        let! p, r, w, v = unitCase
        let! power = Gen.elements [ 1.0; 2.0; 4.5 ]
        return p, r, power, w, v }
    Prop.forAll (Arb.fromGen gen) (fun (p, r, power, w, v) ->
        let g = relPow power
        let rate = Krotov.normRate g p r w v
        let chain = normDerivative p w (Krotov.plasticity g p r w v)
        let gap = Math.Pow(r, p) - Krotov.normP p w
        let scale = 1.0 + abs chain + abs rate
        (rate * gap >= 0.0 && abs (rate - chain) <= 1e-9 * scale)
        |> Prop.label (sprintf "rate %g, chain rule %g, R^p - <W,W> = %g" rate chain gap)
        |> Prop.classify (gap > 0.0) "inside the sphere"
        |> Prop.classify (gap < 0.0) "outside the sphere"
        |> Prop.classify (rate = 0.0) "g(Q) = 0 (no learning)")

/// Section 2.1: the sphere of radius R is a fixed point of the norm: on it d<W,W>/dt = 0 for any g.
let radiusIsAFixedPoint =
    let gen = gen {
        let! p, r, w, v = unitCase
        let! slope = floatIn -2.0 2.0
        return p, r, slope, toSphere p r w, v }
    Prop.forAll (Arb.fromGen gen) (fun (p, r, slope, w, v) ->
        let d = Krotov.plasticity (fun q -> slope * q) p r w v
        let terms = Array.fold2 (fun s wi di -> s + p * Math.Pow(abs wi, p - 1.0) * abs di) 0.0 w d
        let rate = normDerivative p w d
        abs rate <= 1e-12 * (1.0 + terms)
        |> Prop.label (sprintf "d<W,W>/dt = %g on the sphere (terms %g)" rate terms))

/// Eq. 3 and appendix A: L = sum_mu G(Q_mu) never decreases along an explicit Euler trajectory of
/// eq. 2 for a fixed input with small steps, for any g (dL/dt is a sum of g^2 times a Cauchy–Schwarz gap).
let lyapunovNeverDecreases =
    let gen = gen {
        let! n = Gen.choose (2, 12)
        let! k = Gen.choose (1, 5)
        let! p = lebesgueP
        let! w = rows k (weights n)
        let! v = pixels n
        let! which = Gen.elements [ "tanh"; "linear"; "relu^2" ]
        return p, which, toArray2D w, v }
    Prop.forAll (Arb.fromGen gen) (fun (p, which, w0, v) ->
        let g, bigG =
            match which with
            | "tanh" -> tanh, (fun q -> log (cosh q))
            | "linear" -> id, (fun q -> q * q / 2.0)
            | _ -> (fun q -> if q > 0.0 then q * q else 0.0), (fun q -> if q > 0.0 then q * q * q / 3.0 else 0.0)
        let k = Array2D.length1 w0
        let mutable w = w0
        let mutable ok = true
        let mutable worst = 0.0
        let mutable last = Krotov.lyapunov bigG p w v
        for _ in 1 .. 40 do
            let next = Array2D.copy w
            for mu in 0 .. k - 1 do
                let row = w.[mu, *]
                let d = Krotov.plasticity g p 1.0 row v
                let dt = 1e-3 / (1.0 + (d |> Array.map abs |> Array.max))
                let stepped = Krotov.eulerStep g p 1.0 dt row v
                next.[mu, *] <- stepped
            w <- next
            let l = Krotov.lyapunov bigG p w v
            worst <- min worst (l - last)
            if l < last - 1e-12 * (1.0 + abs last) then ok <- false
            last <- l
        ok |> Prop.label (sprintf "largest decrease of L in one step: %g" worst) |> Prop.classify (k = 1) "one unit")

/// Section 2.1: with p = 2, g(Q) = Q and R = 1, on the unit sphere eq. 2 is Oja's rule dW = y (v - y W), y = W.v.
let isOjaRuleForP2 =
    let gen = gen {
        let! n = dimension
        let! w = weights n
        let! v = vectorOf n (floatIn -1.0 1.0)
        return toSphere 2.0 1.0 w, v }
    Prop.forAll (Arb.fromGen gen) (fun (w, v) ->
        let d = Krotov.plasticity id 2.0 1.0 w v
        let y = Array.fold2 (fun s a b -> s + a * b) 0.0 w v
        let oja = Array.map2 (fun vi wi -> y * (vi - y * wi)) v w
        Array.forall2 (fun a b -> abs (a - b) <= 1e-12 * (1.0 + abs b)) d oja
        |> Prop.label (sprintf "eq. 2 %A vs Oja %A" d oja))

/// Eq. 2: the metric inner product <W, v> written as sum sign(W)|W|^(p-1) v equals sum g_ij W_i v_j (p >= 2).
let currentIsTheMetricInnerProduct =
    let gen = gen {
        let! n = dimension
        let! p = lebesgueP
        let! w = weights n
        let! v = pixels n
        return p, w, v }
    Prop.forAll (Arb.fromGen gen) (fun (p, w, v) ->
        let a, b = Krotov.current p w v, Krotov.inner p w w v
        abs (a - b) <= 1e-12 * (1.0 + abs b) |> Prop.label (sprintf "%g vs %g" a b))

/// Section 3: a fast-rule step changes only the rows of the top-ranked and the k-th ranked unit of each sample.
let fastStepChangesOnlyRankedRows =
    let gen = gen {
        let! n = Gen.choose (1, 10)
        let! k = Gen.choose (1, 9)
        let! rankK = Gen.choose (2, 4)
        let! b = Gen.choose (1, 5)
        let! p = lebesgueP
        let! w = rows k (weights n)
        let! batch = rows b (pixels n)
        let! paper = Gen.elements [ true; false ]
        return p, rankK, paper, toArray2D w, batch }
    Prop.forAll (Arb.fromGen gen) (fun (p, rankK, paper, w, batch) ->
        let k = Array2D.length1 w
        let variant = if paper then Krotov.Paper else Krotov.AuthorsCode 1e-30
        let next = Krotov.fastStep variant p 1.0 rankK 0.4 0.05 w batch
        let allowed =
            batch |> Array.collect (fun v ->
                let order = Krotov.rank (Array.init k (fun mu -> Krotov.current p w.[mu, *] v))
                if k >= rankK then [| order.[0]; order.[rankK - 1] |] else [| order.[0] |])
            |> Set.ofArray
        let changed = set [ for mu in 0 .. k - 1 do if next.[mu, *] <> w.[mu, *] then yield mu ]
        Set.isSubset changed allowed
        |> Prop.label (sprintf "changed %A, ranked %A" changed allowed)
        |> Prop.classify (k < rankK) "fewer units than k"
        |> Prop.classify (changed.Count > 1) "several rows changed")

/// Section 3 and DESIGN's tie rule: equal currents rank by lower index first.
let tiesGoToTheLowestIndex =
    let gen = gen {
        let! k = Gen.choose (1, 12)
        let! values = vectorOf k (Gen.elements [ -1.0; 0.0; 0.5; 2.0 ])
        return values }
    Prop.forAll (Arb.fromGen gen) (fun values ->
        let order = Krotov.rank values
        let pairs = Array.pairwise order
        pairs |> Array.forall (fun (a, b) -> values.[a] > values.[b] || (values.[a] = values.[b] && a < b))
        |> Prop.label (sprintf "order %A of %A" order values))

/// Section 2.1 and 3: after enough fast-rule steps with a small Delta, every unit that learned lies on the
/// unit p-sphere: | sum |W_i|^p - 1 | <= 0.02 for each unit that won (ranked first) at least 100 times.
/// (A unit that is only ever ranked k-th is only pushed away, g <W,v> < 0, and need not converge: the
/// paper's positivity bound is violated for it.)
let fastRuleConvergesToTheUnitSphere =
    let gen = gen {
        let! seed = Gen.choose (0, 1_000_000)
        let! p = Gen.elements [ 2.0; 3.0; 4.0 ]
        let! paper = Gen.elements [ true; false ]
        return seed, p, paper }
    Prop.forAll (Arb.fromGen gen) (fun (seed, p, paper) ->
        let rng = Random(seed)
        let k, n, rankK, b, steps = 3, 8, 2, 5, 1500
        let mutable w = Array2D.init k n (fun _ _ -> rng.NextDouble() * 2.0 - 1.0)
        let counts = Array.zeroCreate k
        let variant = if paper then Krotov.Paper else Krotov.AuthorsCode 1e-30
        let lr0 = if paper then 0.2 else 0.05
        for s in 0 .. steps - 1 do
            let batch = Array.init b (fun _ -> Array.init n (fun _ -> rng.NextDouble()))
            for v in batch do
                let order = Krotov.rank (Array.init k (fun mu -> Krotov.current p w.[mu, *] v))
                counts.[order.[0]] <- counts.[order.[0]] + 1
            w <- Krotov.fastStep variant p 1.0 rankK 0.05 (lr0 * (1.0 - float s / float steps)) w batch
        let norms = Array.init k (fun mu -> Krotov.normP p w.[mu, *])
        let learned = [ for mu in 0 .. k - 1 do if counts.[mu] >= 100 then yield mu ]
        (not learned.IsEmpty && learned |> List.forall (fun mu -> abs (norms.[mu] - 1.0) <= 0.02))
        |> Prop.label (sprintf "sum |W|^p per unit %A, times won %A" norms counts)
        |> Prop.classify (learned.Length = k) "every unit learned")

/// Eq. 4: the integration reaches a steady state (the right-hand side vanishes), without inhibition
/// that state is h = I, and with inhibition no more units are active than without.
let inhibitionReachesASteadyState =
    let gen = gen {
        let! k = Gen.choose (1, 12)
        let! currents = vectorOf k (floatIn -1.0 1.0)
        let! wInh = Gen.elements [ 0.0; 0.2; 0.5 ]
        return wInh, currents }
    Prop.forAll (Arb.fromGen gen) (fun (wInh, currents) ->
        let k = currents.Length
        let dt = 0.5 / (1.0 + wInh * float (k - 1))
        let ss = Krotov.steadyState wInh dt 1e-10 200_000 currents
        let rhs = Krotov.inhibitionRhs wInh currents ss.H |> Array.map abs |> Array.max
        let active = ss.H |> Array.filter (fun h -> h > 0.0) |> Array.length
        let activeFree = currents |> Array.filter (fun i -> i > 0.0) |> Array.length
        let free = wInh > 0.0 || Array.forall2 (fun h i -> abs (h - i) <= 1e-8) ss.H currents
        (ss.Converged && rhs <= 1e-10 && free && active <= activeFree)
        |> Prop.label (sprintf "converged %b after %d steps, residual %g, active %d of %d" ss.Converged ss.Steps rhs active activeFree)
        |> Prop.classify (wInh = 0.0) "no inhibition")

/// Section 2.2: the biological step changes only units whose steady-state activity is positive
/// (g = 0 for h <= 0), and the learning activation has the paper's signs.
let biologicalStepLearnsOnlyFromActiveUnits =
    let gen = gen {
        let! n = Gen.choose (1, 10)
        let! k = Gen.choose (1, 8)
        let! w = rows k (weights n)
        let! v = pixels n
        return toArray2D w, v }
    Prop.forAll (Arb.fromGen gen) (fun (w, v) ->
        let k = Array2D.length1 w
        let wInh = 0.3
        let next, ss = Krotov.biologicalStep 3.0 1.0 wInh 0.5 0.4 (0.5 / (1.0 + wInh * float k)) 1e-10 200_000 0.01 w v
        let quiet = [ for mu in 0 .. k - 1 do if ss.H.[mu] <= 0.0 then yield mu ]
        let signs = [ 1.0; 0.7; 0.5; 0.2; -0.1 ] |> List.map (Krotov.learningActivation 0.5 0.4)
        (quiet |> List.forall (fun mu -> next.[mu, *] = w.[mu, *]) && signs = [ 1.0; 1.0; 1.0; -0.4; 0.0 ])
        |> Prop.label (sprintf "quiet units %A, h %A" quiet ss.H)
        |> Prop.classify (quiet.Length = k) "no unit active")

[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``norm moves toward R (section 2.1)`` () = normMovesTowardR
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``the sphere of radius R is a fixed point (section 2.1)`` () = radiusIsAFixedPoint
[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``Lyapunov function never decreases (eq. 3, appendix A)`` () = lyapunovNeverDecreases
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``p = 2 with g(Q) = Q is Oja's rule`` () = isOjaRuleForP2
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``the current is the metric inner product (eq. 2)`` () = currentIsTheMetricInnerProduct
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``a fast step changes only ranked rows (section 3)`` () = fastStepChangesOnlyRankedRows
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``ties go to the lowest index`` () = tiesGoToTheLowestIndex
[<Property(MaxTest = 8, Replay = Replay, QuietOnSuccess = true)>]
let ``the fast rule converges to the unit sphere (small Delta)`` () = fastRuleConvergesToTheUnitSphere
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``eq. 4 reaches a steady state`` () = inhibitionReachesASteadyState
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``the biological step learns only from active units (section 2.2)`` () = biologicalStepLearnsOnlyFromActiveUnits
