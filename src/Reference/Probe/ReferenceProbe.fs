namespace Hebb.Reference

open System
open Hebb.Contracts

/// The probes behind IClassifier and IProbeLayers: the functions of Probe.fs called as they are.
module internal ProbeConvert =
    let toParameters (p: ClassifierParameters) : Probe.Parameters =
        { W = p.Weights |> Array.map Convert.toArray2D
          Bias = Convert.vec p.Bias
          Gamma = p.Gammas |> Array.map Convert.vec
          Beta = p.Betas |> Array.map Convert.vec
          RunMean = p.RunningMeans |> Array.map Convert.vec
          RunVar = p.RunningVars |> Array.map Convert.vec }
    let ofParameters (p: Probe.Parameters) : ClassifierParameters =
        ClassifierParameters(p.W |> Array.map Convert.ofArray2D, Convert.ofVec p.Bias, p.Gamma |> Array.map Convert.ofVec,
                             p.Beta |> Array.map Convert.ofVec, p.RunMean |> Array.map Convert.ofVec, p.RunVar |> Array.map Convert.ofVec)

type ReferenceClassifier(options: ProbeOptions, initial: ClassifierParameters) =
    do options.Validate() |> ignore
    do initial.Check(options, "initial")
    let cfg : Probe.Config =
        { Dropout = options.Dropout; Eps = options.BatchNormEpsilon; Momentum = options.BatchNormMomentum
          Beta1 = options.Beta1; Beta2 = options.Beta2; AdamEps = options.Epsilon }
    let mutable p = ProbeConvert.toParameters initial
    let mutable adam = Probe.adamInit p
    let checkX (x: Matrix) =
        Check.Batch(x, options.Inputs, "x")
    let checkAll (x: Matrix) (labels: ReadOnlySpan<int>) (masks: Collections.Generic.IReadOnlyList<Matrix>) =
        checkX x
        Check.Labels(labels, x.Rows, options.Classes, "labels")
        Check.Masks(masks, x.Rows, options.Hidden, "dropoutMasks")
    let masksOf (masks: Collections.Generic.IReadOnlyList<Matrix>) = Array.init masks.Count (fun l -> Convert.toArray2D masks.[l])

    interface IClassifier with
        member _.Options = options
        member _.Step(x, labels, masks, learningRate) =
            checkAll x labels masks
            Convert.learningRate learningRate
            let loss, next, state = Probe.step cfg learningRate adam p (masksOf masks) (Convert.toArray2D x) (labels.ToArray())
            p <- next
            adam <- state
            loss
        member _.Gradients(x, labels, masks) =
            checkAll x labels masks
            let loss, g = Probe.gradients cfg p (masksOf masks) (Convert.toArray2D x) (labels.ToArray())
            struct (loss, ProbeConvert.ofParameters g)
        member _.Logits(x) =
            checkX x
            Probe.logits cfg p (Convert.toArray2D x) |> Convert.ofArray2D
        member _.Read() = ProbeConvert.ofParameters p
        member _.Dispose() = ()

/// The probes' layers of Probe.fs, one by one.
type ReferenceProbeLayers() =
    interface IProbeLayers with
        member _.Linear(x, w, bias) = Probe.linear (Convert.toArray2D x) (Convert.toArray2D w) (Convert.vec bias) |> Convert.ofArray2D
        member _.LinearBackward(x, w, dy) =
            let dx, dw, db = Probe.linearBackward (Convert.toArray2D x) (Convert.toArray2D w) (Convert.toArray2D dy)
            struct (Convert.ofArray2D dx, Convert.ofArray2D dw, Convert.ofVec db)
        member _.BatchNorm(x, gamma, beta, eps) =
            Probe.batchNorm eps (Convert.toArray2D x) (Convert.vec gamma) (Convert.vec beta) |> Convert.ofArray2D
        member _.BatchNormBackward(x, gamma, dy, eps) =
            let dx, dg, db = Probe.batchNormBackward eps (Convert.toArray2D x) (Convert.vec gamma) (Convert.toArray2D dy)
            struct (Convert.ofArray2D dx, Convert.ofVec dg, Convert.ofVec db)
        member _.Dropout(x, mask, rate) = Probe.dropout rate (Convert.toArray2D mask) (Convert.toArray2D x) |> Convert.ofArray2D
        member _.Elu(x) = Probe.elu (Convert.toArray2D x) |> Convert.ofArray2D
        member _.EluBackward(x, dy) = Probe.eluBackward (Convert.toArray2D x) (Convert.toArray2D dy) |> Convert.ofArray2D
        member _.SoftmaxCrossEntropy(z, labels) =
            let loss, dz = Probe.softmaxCrossEntropy (Convert.toArray2D z) (labels.ToArray())
            struct (loss, Convert.ofArray2D dz)

/// The probes on the reference engine.
[<Implements(typeof<ReferenceEngine>)>]
type ReferenceProbeFactory(_engine: ReferenceEngine) =
    interface IClassifierFactory with
        member _.Create(options: ProbeOptions, initial: ClassifierParameters) = new ReferenceClassifier(options, initial) :> IClassifier
    interface IProbeLayersFactory with
        member _.Create() = ReferenceProbeLayers() :> IProbeLayers
