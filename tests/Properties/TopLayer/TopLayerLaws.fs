/// Laws of the supervised top layer (Krotov & Hopfield eq. 1, appendix B) and of Adam.
module Hebb.Tests.Properties.TopLayerLaws

open System
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open global.Xunit
open Hebb.Reference
open Hebb.Tests.Properties.Generators

/// The analytic gradient dC/dS equals central finite differences of C.
let gradientMatchesFiniteDifferences =
    let gen = gen {
        let! classes = Gen.choose (2, 4)
        let! hidden = Gen.choose (1, 6)
        let! b = Gen.choose (1, 4)
        let! s = rows classes (vectorOf hidden (floatIn -0.5 0.5))
        let! hs = rows b (vectorOf hidden (floatIn 0.0 1.0))
        let! labels = Gen.arrayOfLength b (Gen.choose (0, classes - 1))
        let! m = Gen.elements [ 2.0; 3.0; 6.0; 10.0 ]
        return m, toArray2D s, hs, labels }
    Prop.forAll (Arb.fromGen gen) (fun (m, s, hs, labels) ->
        matchesFiniteDifferences (fun s' -> TopLayer.loss m s' hs labels) s (TopLayer.gradient m s hs labels))

/// Eq. 1: f is zero for x < 0, x^n for x >= 0, monotone.
let rectifiedPowerIsMonotone =
    let gen = gen {
        let! a = floatIn -2.0 2.0
        let! b = floatIn -2.0 2.0
        let! n = Gen.elements [ 1.0; 3.0; 4.5; 10.0 ]
        return n, min a b, max a b }
    Prop.forAll (Arb.fromGen gen) (fun (n, lo, hi) ->
        let f = TopLayer.rectifiedPower n
        (f lo <= f hi && (lo >= 0.0 || f lo = 0.0)) |> Prop.label (sprintf "f(%g) = %g, f(%g) = %g" lo (f lo) hi (f hi)))

/// Adam's first step is lr * g / (|g| + eps): lr * sign(g) for |g| >> eps.
let adamFirstStepIsLrSignG =
    let gen = gen {
        let! g = rows 2 (vectorOf 3 (Gen.oneof [ floatIn -5.0 -1e-3; floatIn 1e-3 5.0 ]))
        let! lr = Gen.elements [ 1e-3; 1e-2; 0.1 ]
        return lr, toArray2D g }
    Prop.forAll (Arb.fromGen gen) (fun (lr, g) ->
        let theta = Array2D.zeroCreate 2 3
        let next, _ = TopLayer.adamStep 0.9 0.999 1e-8 lr (TopLayer.adamInit 2 3) theta g
        let mutable ok = true
        next |> Array2D.iteri (fun i j x -> if abs (x + lr * float (sign g.[i, j])) > lr * 1e-4 then ok <- false)
        ok |> Prop.label (sprintf "step %A for gradient %A" next g))

[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``top layer gradient matches finite differences`` () = gradientMatchesFiniteDifferences
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``the rectified power is monotone and zero below 0 (eq. 1)`` () = rectifiedPowerIsMonotone
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``Adam's first step is lr sign(g)`` () = adamFirstStepIsLrSignG
