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
    let learningRate (lr: float) =
        if not (Double.IsFinite lr) || lr < 0.0 then
            raise (ArgumentOutOfRangeException("learningRate", lr, "learningRate must be a finite number >= 0"))

type ReferenceKrotovLayer(options: KrotovOptions, initialWeights: Matrix) =
    do options.Validate() |> ignore
    do Check.Shape(initialWeights, options.Units, options.Inputs, "initialWeights")
    do Check.Finite(initialWeights, "initialWeights")
    let mutable w = Convert.toArray2D initialWeights
    let variant =
        match options.Variant with
        | KrotovVariant.Paper -> Krotov.Paper
        | _ -> Krotov.AuthorsCode options.Precision
    let checkBatch (batch: Matrix) =
        Check.Shape(batch, -1, options.Inputs, "batch")
        Check.NonEmpty(batch, "batch")
        Check.Finite(batch, "batch")

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
    do Check.Shape(initialWeights, options.Classes, options.Hidden, "initialWeights")
    do Check.Finite(initialWeights, "initialWeights")
    let mutable s = Convert.toArray2D initialWeights
    let mutable adam = TopLayer.adamInit options.Classes options.Hidden
    let checkBatch (hidden: Matrix) =
        Check.Shape(hidden, -1, options.Hidden, "hidden")
        Check.NonEmpty(hidden, "hidden")
        Check.Finite(hidden, "hidden")
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

/// The reference engine: literal, float64, slow.
type ReferenceEngine() =
    interface IEngine with
        member _.Name = "reference"
        member _.CreateKrotov(options, initialWeights) = new ReferenceKrotovLayer(options, initialWeights) :> IKrotovLayer
        member _.CreateTopLayer(options, initialWeights) = new ReferenceTopLayer(options, initialWeights) :> ITopLayer
