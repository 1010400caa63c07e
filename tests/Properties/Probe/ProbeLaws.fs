/// Laws of the probes' layers (Hebb.Reference.Probe): every backward pass matches finite differences of
/// its forward pass, batch norm standardizes, Adam's first step is lr sign(g).
module Hebb.Tests.Properties.ProbeLaws

open System
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open global.Xunit
open Hebb.Reference
open Hebb.Tests.Properties.Generators

let matrix r c (g: Gen<float>) = rows r (vectorOf c g) |> Gen.map toArray2D

/// <dy, f(x)>: a scalar whose gradient with respect to x is the backward pass applied to dy.
let dot (a: float[,]) (b: float[,]) =
    let mutable s = 0.0
    a |> Array2D.iteri (fun i j x -> s <- s + x * b.[i, j])
    s

let row (v: float[]) = Array2D.init 1 v.Length (fun _ j -> v.[j])

/// Linear layer: dx, dW and dbias match finite differences of <dy, x W^T + b>.
let linearBackwardMatchesFiniteDifferences =
    let gen = gen {
        let! b = Gen.choose (1, 4)
        let! n = Gen.choose (1, 5)
        let! m = Gen.choose (1, 4)
        let! x = matrix b n (floatIn -1.0 1.0)
        let! w = matrix m n (floatIn -1.0 1.0)
        let! bias = vectorOf m (floatIn -1.0 1.0)
        let! dy = matrix b m (floatIn -1.0 1.0)
        return x, w, bias, dy }
    Prop.forAll (Arb.fromGen gen) (fun (x, w, bias, dy) ->
        let dx, dw, db = Probe.linearBackward x w dy
        matchesFiniteDifferences (fun x' -> dot dy (Probe.linear x' w bias)) x dx
        .&. matchesFiniteDifferences (fun w' -> dot dy (Probe.linear x w' bias)) w dw
        .&. matchesFiniteDifferences (fun b' -> dot dy (Probe.linear x w b'.[0, *])) (row bias) (row db))

/// Batch norm (training mode): dx, dgamma, dbeta match finite differences, batch statistics included.
let batchNormBackwardMatchesFiniteDifferences =
    let gen = gen {
        let! b = Gen.choose (2, 5)
        let! n = Gen.choose (1, 4)
        let! x = matrix b n (floatIn -2.0 2.0)
        let! gamma = vectorOf n (floatIn 0.5 2.0)
        let! beta = vectorOf n (floatIn -1.0 1.0)
        let! dy = matrix b n (floatIn -1.0 1.0)
        return x, gamma, beta, dy }
    Prop.forAll (Arb.fromGen gen) (fun (x, gamma, beta, dy) ->
        let eps = 1e-3
        let dx, dg, db = Probe.batchNormBackward eps x gamma dy
        matchesFiniteDifferences (fun x' -> dot dy (Probe.batchNorm eps x' gamma beta)) x dx
        .&. matchesFiniteDifferences (fun g' -> dot dy (Probe.batchNorm eps x g'.[0, *] beta)) (row gamma) (row dg)
        .&. matchesFiniteDifferences (fun b' -> dot dy (Probe.batchNorm eps x gamma b'.[0, *])) (row beta) (row db))

/// Batch norm with gamma = 1, beta = 0 gives every feature mean 0 and variance var / (var + eps) (1 as eps -> 0).
let batchNormStandardizes =
    let gen = gen {
        let! b = Gen.choose (2, 20)
        let! n = Gen.choose (1, 6)
        let! scale = Gen.elements [ 0.1; 1.0; 30.0 ]
        let! x = matrix b n (floatIn -1.0 1.0)
        return Array2D.map (fun v -> scale * v + 3.0) x }
    Prop.forAll (Arb.fromGen gen) (fun x ->
        let n = Array2D.length2 x
        let eps = 1e-3
        let y = Probe.batchNorm eps x (Array.create n 1.0) (Array.zeroCreate n)
        let mean, var = Probe.batchStats y
        let _, varX = Probe.batchStats x
        (Array.forall (fun m -> abs m <= 1e-12) mean
         && Array.forall2 (fun v vx -> abs (v - vx / (vx + eps)) <= 1e-9) var varX)
        |> Prop.label (sprintf "means %A, variances %A" mean var)
        |> Prop.classify (varX |> Array.forall (fun v -> v > 100.0 * eps)) "variance >> eps (output variance ~ 1)")

/// ELU: the backward pass matches finite differences (away from the kink at 0).
let eluBackwardMatchesFiniteDifferences =
    let gen = gen {
        let! x = matrix 3 4 (Gen.oneof [ floatIn -3.0 -0.01; floatIn 0.01 3.0 ])
        let! dy = matrix 3 4 (floatIn -1.0 1.0)
        return x, dy }
    Prop.forAll (Arb.fromGen gen) (fun (x, dy) ->
        matchesFiniteDifferences (fun x' -> dot dy (Probe.elu x')) x (Probe.eluBackward x dy))

/// Softmax cross-entropy: dz matches finite differences of the mean loss; the loss is >= 0.
let softmaxCrossEntropyGradient =
    let gen = gen {
        let! b = Gen.choose (1, 4)
        let! c = Gen.choose (2, 5)
        let! z = matrix b c (floatIn -5.0 5.0)
        let! labels = Gen.arrayOfLength b (Gen.choose (0, c - 1))
        return z, labels }
    Prop.forAll (Arb.fromGen gen) (fun (z, labels) ->
        let loss, dz = Probe.softmaxCrossEntropy z labels
        (loss >= 0.0 |> Prop.label (sprintf "loss %g" loss))
        .&. matchesFiniteDifferences (fun z' -> fst (Probe.softmaxCrossEntropy z' labels)) z dz)

let config dropout : Probe.Config = { Dropout = dropout; Eps = 1e-3; Momentum = 0.99; Beta1 = 0.9; Beta2 = 0.999; AdamEps = 1e-7 }

/// A small MLP with masks 2-3-2: every parameter's gradient matches finite differences of the loss.
let classifierGradientsMatchFiniteDifferences =
    let gen = gen {
        let! x = matrix 4 3 (floatIn -1.0 1.0)
        let! w0 = matrix 3 3 (floatIn -1.0 1.0)
        let! w1 = matrix 2 3 (floatIn -1.0 1.0)
        let! bias = vectorOf 2 (floatIn -0.5 0.5)
        let! gamma = vectorOf 3 (floatIn 0.5 1.5)
        let! beta = vectorOf 3 (floatIn -0.5 0.5)
        let! mask = matrix 4 3 (Gen.elements [ 0.0; 1.0 ])
        let! labels = Gen.arrayOfLength 4 (Gen.choose (0, 1))
        return x, w0, w1, bias, gamma, beta, mask, labels }
    Prop.forAll (Arb.fromGen gen) (fun (x, w0, w1, bias, gamma, beta, mask, labels) ->
        let cfg = config [| 0.25 |]
        let p : Probe.Parameters = { W = [| w0; w1 |]; Bias = bias; Gamma = [| gamma |]; Beta = [| beta |]; RunMean = [| Array.zeroCreate 3 |]; RunVar = [| Array.create 3 1.0 |] }
        let loss (p: Probe.Parameters) = fst (Probe.gradients cfg p [| mask |] x labels)
        let _, g = Probe.gradients cfg p [| mask |] x labels
        matchesFiniteDifferences (fun w -> loss { p with W = [| w; w1 |] }) w0 g.W.[0]
        .&. matchesFiniteDifferences (fun w -> loss { p with W = [| w0; w |] }) w1 g.W.[1]
        .&. matchesFiniteDifferences (fun b -> loss { p with Bias = b.[0, *] }) (row bias) (row g.Bias)
        .&. matchesFiniteDifferences (fun v -> loss { p with Gamma = [| v.[0, *] |] }) (row gamma) (row g.Gamma.[0])
        .&. matchesFiniteDifferences (fun v -> loss { p with Beta = [| v.[0, *] |] }) (row beta) (row g.Beta.[0]))

/// Adam's first step moves every parameter by lr * g / (|g| + eps): -lr sign(g) wherever |g| >> eps.
let classifierFirstStepIsLrSignG =
    let gen = gen {
        let! x = matrix 5 4 (floatIn -1.0 1.0)
        let! w = matrix 3 4 (floatIn -1.0 1.0)
        let! labels = Gen.arrayOfLength 5 (Gen.choose (0, 2))
        return x, w, labels }
    Prop.forAll (Arb.fromGen gen) (fun (x, w, labels) ->
        let cfg = config [||]
        let lr = 1e-3
        let p : Probe.Parameters = { W = [| w |]; Bias = Array.zeroCreate 3; Gamma = [||]; Beta = [||]; RunMean = [||]; RunVar = [||] }
        let _, g = Probe.gradients cfg p [||] x labels
        let _, next, _ = Probe.step cfg lr (Probe.adamInit p) p [||] x labels
        let mutable ok = true
        next.W.[0] |> Array2D.iteri (fun i j v ->
            let gi = g.W.[0].[i, j]
            let expected = w.[i, j] - lr * gi / (abs gi + cfg.AdamEps)
            if abs (v - expected) > 1e-12 then ok <- false)
        ok |> Prop.label "first Adam step differs from lr g / (|g| + eps)")

[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``linear layer backward matches finite differences`` () = linearBackwardMatchesFiniteDifferences
[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``batch norm backward matches finite differences`` () = batchNormBackwardMatchesFiniteDifferences
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``batch norm output has zero mean and unit variance`` () = batchNormStandardizes
[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``ELU backward matches finite differences`` () = eluBackwardMatchesFiniteDifferences
[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``softmax cross-entropy gradient matches finite differences`` () = softmaxCrossEntropyGradient
[<Property(MaxTest = 60, Replay = Replay, QuietOnSuccess = true)>]
let ``classifier gradients match finite differences`` () = classifierGradientsMatchFiniteDifferences
[<Property(MaxTest = 100, Replay = Replay, QuietOnSuccess = true)>]
let ``classifier's first Adam step is lr sign(g)`` () = classifierFirstStepIsLrSignG
