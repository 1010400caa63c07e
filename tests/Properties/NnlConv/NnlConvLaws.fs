/// Laws of the NNL-CONV layer (Grinberg, Hopfield & Krotov 2019, section 2, eq. 3) over Hebb.Reference.NnlConv.
module Hebb.Tests.Properties.ConvLaws

open System
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open global.Xunit
open Hebb.Reference
open Hebb.Tests.Properties.Generators

let geometry h w c window stride pad pw ps : NnlConv.Geometry =
    { H = h; W = w; C = c; Window = window; Stride = stride; Pad = pad; PadAfter = pad; PoolWindow = pw; PoolStride = ps }

let unitRows (rs: float[][]) = rs |> Array.map (toSphere 2.0 1.0) |> toArray2D

/// Section 2: with unit filters and unit patches the dot product is a cosine in [-1, 1].
let normalizedDotIsACosine =
    let gen = gen {
        let! n = Gen.choose (1, 27)
        let! w = rows 4 (weights n)
        let! v = vectorOf n (floatIn -1.0 1.0)
        return unitRows w, v }
    Prop.forAll (Arb.fromGen gen) (fun (m, v) ->
        let u = NnlConv.unitPatch v
        let dots = Array.init (Array2D.length1 m) (fun k -> Array.fold2 (fun s a b -> s + a * b) 0.0 m.[k, *] u)
        Array.forall (fun d -> d >= -1.0 - 1e-12 && d <= 1.0 + 1e-12) dots
        |> Prop.label (sprintf "dots %A" dots)
        |> Prop.classify (Array.forall ((=) 0.0) u) "zero patch")

/// Section 2 (patch normalization): the NNL-CONV output is unchanged when the image is scaled by any c > 0.
let patchNormalizationIgnoresBrightness =
    let gen = gen {
        let! h = Gen.choose (4, 8)
        let! w = Gen.choose (4, 8)
        let! img = vectorOf (2 * h * w) (floatIn 0.0 1.0)
        let! m = rows 3 (weights 18)
        let! c = Gen.elements [ 0.3; 0.01; 7.0 ]
        let! n = Gen.elements [ 1.0; 10.0; 40.0 ]
        return geometry h w 2 3 1 1 2 2, unitRows m, img, c, n }
    Prop.forAll (Arb.fromGen gen) (fun (g, m, img, c, n) ->
        let a = NnlConv.forward g false true n m img
        let b = NnlConv.forward g false true n m (img |> Array.map ((*) c))
        Array.forall2 (fun x y -> abs (x - y) <= 1e-9 * (abs x + 1e-300) + 1e-300) a b
        |> Prop.label (sprintf "scale %g: %A vs %A" c a b))

/// Eq. 3: f(x) = ReLU(x)^n is monotone, and a larger n makes the response sparser: for 0 <= x < y, the ratio
/// f(x) / f(y) = (x / y)^n never grows with n.
let steepPowerSparsifies =
    let gen = gen {
        let! x = floatIn 0.0 1.0
        let! y = floatIn 0.0 1.0
        let! n1 = Gen.elements [ 1.0; 2.0; 10.0 ]
        let! dn = Gen.elements [ 0.0; 1.0; 30.0 ]
        return min x y, max x y, n1, n1 + dn }
    Prop.forAll (Arb.fromGen gen) (fun (x, y, n1, n2) ->
        let f = NnlConv.rectifiedPower
        (f n1 x <= f n1 y && (y = 0.0 || f n2 x / f n2 y <= f n1 x / f n1 y + 1e-15))
        |> Prop.label (sprintf "x %g y %g n %g -> %g" x y n1 n2))

/// Max pooling: each output is the largest value of its window, and one of them.
let maxPoolIsTheWindowMaximum =
    let gen = gen {
        let! oh = Gen.choose (1, 7)
        let! ow = Gen.choose (1, 7)
        let! pw = Gen.choose (1, min oh ow)
        let! ps = Gen.choose (1, 3)
        let! values = vectorOf (2 * oh * ow) (floatIn -1.0 1.0)
        return oh, ow, pw, ps, values }
    Prop.forAll (Arb.fromGen gen) (fun (oh, ow, pw, ps, values) ->
        // A geometry whose convolution output is oh x ow: a 1 x 1 window over an oh x ow image.
        let g = geometry oh ow 1 1 1 0 pw ps
        let a = Array3D.init 2 oh ow (fun k y x -> values.[k * oh * ow + y * ow + x])
        let p = NnlConv.maxPool g a
        let mutable ok = true
        for k in 0 .. 1 do
            for py in 0 .. g.PooledH - 1 do
                for px in 0 .. g.PooledW - 1 do
                    let window = [ for dy in 0 .. pw - 1 do for dx in 0 .. pw - 1 do yield a.[k, py * ps + dy, px * ps + dx] ]
                    if p.[k, py, px] <> List.max window then ok <- false
        ok |> Prop.label "a pooled value differs from its window's maximum")

/// Eq. 1-2 (Krotov & Hopfield's rule with p = 2 on patches): after enough steps with a small Delta, each filter
/// that won at least 100 times is a unit vector within 0.02.
let learnedFiltersBecomeUnitVectors =
    let gen = gen {
        let! seed = Gen.choose (0, 1_000_000)
        return seed }
    Prop.forAll (Arb.fromGen gen) (fun seed ->
        let rng = Random(seed)
        let g = geometry 8 8 1 3 1 0 1 1
        let k, steps = 3, 600
        let mutable m = Array2D.init k 9 (fun _ _ -> rng.NextDouble() * 2.0 - 1.0)
        let wins = Array.zeroCreate k
        for s in 0 .. steps - 1 do
            let img = Array.init 64 (fun _ -> rng.NextDouble())
            let batch = NnlConv.patches g img |> Array.take 10
            for v in batch do
                let order = Krotov.rank (Array.init k (fun mu -> Krotov.current 2.0 m.[mu, *] v))
                wins.[order.[0]] <- wins.[order.[0]] + 1
            m <- Krotov.fastStep (Krotov.AuthorsCode 1e-30) 2.0 1.0 2 0.05 (0.05 * (1.0 - float s / float steps)) m batch
        let norms = Array.init k (fun mu -> Krotov.normP 2.0 m.[mu, *])
        let learned = [ for mu in 0 .. k - 1 do if wins.[mu] >= 100 then yield mu ]
        (not learned.IsEmpty && learned |> List.forall (fun mu -> abs (norms.[mu] - 1.0) <= 0.02))
        |> Prop.label (sprintf "squared norms %A, wins %A" norms wins))

[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``the normalized dot product is a cosine (section 2)`` () = normalizedDotIsACosine
[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``patch normalization ignores brightness (section 2)`` () = patchNormalizationIgnoresBrightness
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``a steeper power is sparser (eq. 3)`` () = steepPowerSparsifies
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``max pooling takes each window's maximum`` () = maxPoolIsTheWindowMaximum
[<Property(MaxTest = 8, Replay = Replay, QuietOnSuccess = true)>]
let ``filters learned from patches become unit vectors (eq. 1-2)`` () = learnedFiltersBecomeUnitVectors
