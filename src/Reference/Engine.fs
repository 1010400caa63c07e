/// The reference engine behind the shared contracts: float64 state, the functions of Krotov.fs
/// and TopLayer.fs called as they are. Inputs arrive as float32 (exactly representable in float64);
/// reads of state are rounded to float32.
namespace Hebb.Reference

open System
open Hebb.Contracts

module internal Convert =
    let toArray2D (m: Matrix) : float[,] = Array2D.init m.Rows m.Cols (fun r c -> float m.[r, c])
    let toRows (m: Matrix) : float[][] = Array.init m.Rows (fun r -> Array.init m.Cols (fun c -> float m.[r, c]))
    let ofArray2D (a: float[,]) : Matrix =
        let m = Matrix(Array2D.length1 a, Array2D.length2 a)
        a |> Array2D.iteri (fun r c x -> m.[r, c] <- float32 x)
        m
    let ofRows (cols: int) (rows: float[][]) : Matrix =
        let m = Matrix(rows.Length, cols)
        rows |> Array.iteri (fun r row -> row |> Array.iteri (fun c x -> m.[r, c] <- float32 x))
        m
    let vec (m: Matrix) : float[] = Array.init m.Data.Length (fun i -> float m.Data.[i])
    let ofVec (v: float[]) : Matrix = Matrix(1, v.Length, v |> Array.map float32)
    let learningRate (lr: float) = Check.LearningRate lr

type ReferenceKrotovLayer(options: KrotovOptions, initialWeights: Matrix) =
    do options.Validate() |> ignore
    do Check.State(initialWeights, options.Units, options.Inputs, "initialWeights")
    let mutable w = Convert.toArray2D initialWeights
    let variant =
        match options.Variant with
        | KrotovVariant.Paper -> Krotov.Paper
        | _ -> Krotov.AuthorsCode options.Precision
    let checkBatch (batch: Matrix) =
        Check.Batch(batch, options.Inputs, "batch")

    /// The float64 state itself, for tests that hold the reference to the papers' laws.
    member _.Weights = Array2D.copy w

    interface IKrotovLayer with
        member _.Options = options
        member _.Step(batch, learningRate) =
            checkBatch batch
            Convert.learningRate learningRate
            w <- Krotov.fastStep variant options.P options.R options.RankK options.Delta learningRate w (Convert.toRows batch)
        member _.Currents(batch) =
            checkBatch batch
            Convert.toRows batch
            |> Array.map (fun v -> Array.init options.Units (fun mu -> Krotov.current options.P w.[mu, *] v))
            |> Convert.ofRows options.Units
        member _.Encode(batch, n) =
            checkBatch batch
            if not (n >= 1.0) || Double.IsInfinity n then
                raise (ArgumentOutOfRangeException("n", n, "n (the power of the rectified activation) must be a finite number >= 1"))
            Convert.toRows batch |> Array.map (TopLayer.encode n w) |> Convert.ofRows options.Units
        member _.ReadWeights() = Convert.ofArray2D w
        member _.Dispose() = ()

type ReferenceTopLayer(options: TopLayerOptions, initialWeights: Matrix) =
    do options.Validate() |> ignore
    do Check.State(initialWeights, options.Classes, options.Hidden, "initialWeights")
    let mutable s = Convert.toArray2D initialWeights
    let mutable adam = TopLayer.adamInit options.Classes options.Hidden
    let checkBatch (hidden: Matrix) =
        Check.Batch(hidden, options.Hidden, "hidden")
    let checkLabels (hidden: Matrix) (labels: ReadOnlySpan<int>) =
        checkBatch hidden
        Check.Labels(labels, hidden.Rows, options.Classes, "labels")

    interface ITopLayer with
        member _.Options = options
        member _.Forward(hidden) =
            checkBatch hidden
            Convert.toRows hidden |> Array.map (TopLayer.forward s) |> Convert.ofRows options.Classes
        member _.Loss(hidden, labels) =
            checkLabels hidden labels
            TopLayer.loss options.M s (Convert.toRows hidden) (labels.ToArray())
        member _.Gradient(hidden, labels) =
            checkLabels hidden labels
            TopLayer.gradient options.M s (Convert.toRows hidden) (labels.ToArray()) |> Convert.ofArray2D
        member _.Step(hidden, labels, learningRate) =
            checkLabels hidden labels
            Convert.learningRate learningRate
            let hs, ls = Convert.toRows hidden, labels.ToArray()
            let before = TopLayer.loss options.M s hs ls
            let g = TopLayer.gradient options.M s hs ls
            let next, state = TopLayer.adamStep options.Beta1 options.Beta2 options.Epsilon learningRate adam s g
            s <- next
            adam <- state
            before
        member _.ReadWeights() = Convert.ofArray2D s
        member _.Dispose() = ()

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
type ReferenceLayerOps() =
    interface ILayerOps with
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

type ReferenceConvLayer(options: ConvOptions, filters: Matrix) =
    do options.Validate() |> ignore
    do Check.State(filters, options.Filters, options.PatchSize, "filters")
    let g : Conv.Geometry =
        { H = options.Height; W = options.Width; C = options.Channels; Window = options.Window; Stride = options.Stride
          Pad = options.Padding; PoolWindow = options.PoolWindow; PoolStride = options.PoolStride }
    let m = Convert.toArray2D filters
    let checkImages (images: Matrix) = Check.Batch(images, options.Height * options.Width * options.Channels, "images")

    interface IConvLayer with
        member _.Options = options
        member _.Patches(images) =
            checkImages images
            Convert.toRows images |> Array.collect (Conv.patches g) |> Convert.ofRows options.PatchSize
        member _.Forward(images) =
            checkImages images
            Convert.toRows images |> Array.map (Conv.forward g options.CenterPatches options.PatchNormalization options.Power m) |> Convert.ofRows options.Features
        member _.ReadWeights() = filters.Clone()
        member _.Dispose() = ()

/// The reference engine: literal, float64, slow.
type ReferenceEngine() =
    interface IEngine with
        member _.Name = "reference"
        member _.CreateKrotov(options, initialWeights) = new ReferenceKrotovLayer(options, initialWeights) :> IKrotovLayer
        member _.CreateTopLayer(options, initialWeights) = new ReferenceTopLayer(options, initialWeights) :> ITopLayer
        member _.CreateClassifier(options, initial) = new ReferenceClassifier(options, initial) :> IClassifier
        member _.Layers = ReferenceLayerOps() :> ILayerOps
        member _.CreateConv(options, filters) = new ReferenceConvLayer(options, filters) :> IConvLayer
